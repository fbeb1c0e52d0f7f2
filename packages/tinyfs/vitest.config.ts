import { rumpVitestConfig } from '../../vitest.shared.ts';

export default rumpVitestConfig();
