/** Every conformance test, in the order reports list them. */
import type { ConformanceTest } from './context.js';
import { attrTests } from './tests-attrs.js';
import { errnoTests } from './tests-errno.js';
import { fileTests } from './tests-files.js';
import { nameTests } from './tests-names.js';
import { vfsTests } from './tests-vfsops.js';

export const CONFORMANCE_TESTS: readonly ConformanceTest[] = [
  ...vfsTests.filter((t) => t.id.startsWith('mount/')),
  ...fileTests,
  ...nameTests,
  ...attrTests,
  ...errnoTests,
  ...vfsTests.filter((t) => !t.id.startsWith('mount/')),
];

export { type ConformanceTest, defineTests, TestContext } from './context.js';
export {
  type ConformanceOptions,
  type ConformanceReport,
  runConformance,
  type TestResult,
} from './runner.js';
