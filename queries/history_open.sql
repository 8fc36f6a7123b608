-- The state database keeps every week's ranking table per client, so later
-- briefs compare against what earlier briefs reported even when the archive
-- has since changed. portbrief attaches the state database as `state` first.
CREATE TABLE IF NOT EXISTS state.weekly_countries (
    client VARCHAR NOT NULL, week VARCHAR NOT NULL, country VARCHAR NOT NULL,
    sessions BIGINT NOT NULL, sources BIGINT NOT NULL, stored_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS state.weekly_rankings (
    client VARCHAR NOT NULL, week VARCHAR NOT NULL, country VARCHAR NOT NULL, port INTEGER NOT NULL,
    sessions BIGINT NOT NULL, sources BIGINT NOT NULL, udp_sessions BIGINT NOT NULL,
    share DOUBLE NOT NULL, rank BIGINT NOT NULL, stored_at TIMESTAMPTZ NOT NULL);
