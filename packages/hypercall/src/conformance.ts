export {
  ConformanceFailure,
  ensure,
  ensureBytes,
  ensureEqual,
  ensureHostError,
  ensureHostErrorAsync,
} from './conformance/assert.js';
export {
  type ConformanceCheck,
  type ConformanceFixture,
  hostConformanceChecks,
  pattern,
} from './conformance/checks.js';
export {
  type ConformanceFactory,
  type ConformanceResult,
  defineHostConformanceTests,
  runConformanceCheck,
  runHostConformance,
  type TestFramework,
} from './conformance/run.js';
