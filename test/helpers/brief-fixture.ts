export { sampleBrief as briefFixture } from '../../src/render/sample-brief.js';
