/**
 * @rump/harness: scenarios, a file-system conformance suite and a corruption mode that run any
 * NetBSD file-system module against private copies of images, with summary, JUnit and JSON
 * reports.
 */

export * as tinyfsImage from '@rump/tinyfs';
export { CLASSIC_README, CLASSIC_REPLACEMENT, classicScenario } from './classic.js';
export { main, USAGE } from './cli.js';
export { type ConformanceTest, defineTests, TestContext } from './conformance/context.js';
export { CONFORMANCE_TESTS } from './conformance/index.js';
export {
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
  runOne,
  type TestResult,
} from './conformance/runner.js';
export {
  applyMutation,
  type CorruptionOptions,
  type CorruptionOutcome,
  type CorruptionReport,
  type CorruptionRun,
  DEFAULT_BUDGET,
  type Mutation,
  OUTCOMES,
  planMutation,
  runCorruption,
  runCorruptionSuite,
} from './corrupt.js';
export * from './images/ffs-image.js';
export {
  CLASSIC_README_TEXT,
  CLASSIC_TREE,
  FIXTURES,
  type FixtureInfo,
  type FixtureManifest,
  fixtureManifests,
  loadFixture,
} from './images/fixtures.js';
export { findMakefs, MAKEFS_TIME, makefsFfs } from './images/makefs.js';
export { diffManifests, sha256, type TreeManifest, treeManifest } from './images/manifest.js';
export { DEFAULT_IMAGE, type ImageSpec, type TreeEntries, type TreeEntry } from './images/tree.js';
export {
  IMAGE_HOST_PATH,
  IMAGE_KEY,
  Machine,
  type MachineOptions,
  MOUNT_POINT,
} from './machine.js';
export * from './outcome.js';
export type { FsLimits, FsProfile, ModuleFile } from './profile.js';
export {
  type FfsProfileOptions,
  ffsProfile,
  ffsProfilesFromEnv,
  findModuleFile,
} from './profiles/ffs.js';
export { makeTinyfsImage, tinyfsMetadataRegions, tinyfsProfile } from './profiles/tinyfs.js';
export { type AnyReport, exitCode, formatReport, toJson, toJunit } from './report.js';
export {
  type Arg,
  runScenario,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Step,
  type StepResult,
} from './scenario.js';
