/**
 * The layer rule: a package may import only packages of a strictly lower layer
 * (or its own layer's members never: the bottom three are independent of each other).
 * Checked from both package.json dependencies and the import specifiers in sources,
 * so a forgotten dependency entry cannot hide an upward import.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Layer rank of each workspace package; equal ranks may not import each other. */
export const LAYERS: Readonly<Record<string, number>> = {
  '@rump/hypercall': 0,
  '@rump/cpu-x86': 0,
  '@rump/elf-linker': 0,
  '@rump/tinyfs': 0,
  '@rump/kernel-core': 1,
  '@rump/syscalls': 2,
  '@rump/cli': 3,
  '@rump/harness': 3,
};

export interface LayerViolation {
  /** The importing package. */
  readonly from: string;
  /** The imported package, which sits at the same or a higher layer. */
  readonly to: string;
  /** Where: `package.json` or a source file path relative to the root, with line. */
  readonly where: string;
}

const IMPORT_RE =
  /(?:\bimport\s[^'"]*?from\s*|\bimport\s*\(\s*|\bexport\s[^'"]*?from\s*|\brequire\s*\(\s*|\bimport\s*)['"](@rump\/[a-z0-9-]+)(?:\/[^'"]*)?['"]/g;

function* sourceFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield p;
  }
}

function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  const a = LAYERS[from];
  const b = LAYERS[to];
  if (a === undefined || b === undefined) return true; // tools and unknown packages are not layered
  return b < a;
}

/** Checks every package under `root/packages` and `root/apps`. */
export function checkLayers(root: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const dir of readdirSync(groupDir)) {
      const pkgDir = join(groupDir, dir);
      const pkgJson = join(pkgDir, 'package.json');
      if (!existsSync(pkgJson)) continue;
      const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
        if (!allowed(pkg.name, dep)) {
          violations.push({ from: pkg.name, to: dep, where: relative(root, pkgJson) });
        }
      }
      for (const sub of ['src', 'test', 'bench']) {
        for (const file of sourceFiles(join(pkgDir, sub))) {
          const text = readFileSync(file, 'utf8');
          for (const m of text.matchAll(IMPORT_RE)) {
            const to = m[1]!;
            if (!allowed(pkg.name, to)) {
              const line = text.slice(0, m.index).split('\n').length;
              violations.push({ from: pkg.name, to, where: `${relative(root, file)}:${line}` });
            }
          }
        }
      }
    }
  }
  return violations;
}

export function formatViolations(v: readonly LayerViolation[]): string {
  return v
    .map(
      (x) =>
        `${x.where}: ${x.from} (layer ${LAYERS[x.from]}) imports ${x.to} (layer ${LAYERS[x.to]})`,
    )
    .join('\n');
}
