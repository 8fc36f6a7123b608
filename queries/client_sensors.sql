-- The clients of each (source, sensor) pair of the archive, from the table
-- client_map (client, source, sensor). A row with sensor NULL claims every
-- sensor of its source, and a row with source NULL claims the sensor in any
-- source. A pair may belong to several clients and to none. Working on
-- distinct pairs keeps the later joins to sessions one row per client.
CREATE OR REPLACE TEMP TABLE sensor_clients AS
SELECT DISTINCT pairs.source, pairs.sensor, m.client
FROM (SELECT DISTINCT source, sensor FROM sessions_all) AS pairs
JOIN client_map AS m
  ON (m.source IS NULL OR m.source = pairs.source)
 AND (m.sensor IS NULL OR m.sensor = pairs.sensor);
