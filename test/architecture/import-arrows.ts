import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One relative import of ours: where it is written and which file it points at. */
export interface ImportArrow {
  file: string;
  line: number;
  target: string;
}

/** A layer and the layers it must never import (DESIGN.md, "Where things live"). */
export interface LayerRule {
  layer: string;
  /** Only these layers (its own always included); when absent, anything but `never`. */
  only?: readonly string[];
  never?: readonly string[];
  why: string;
}

/**
 * The folder a file belongs to, as the rules name it: `src/<folder>` under src, the top folder
 * (`jobs`, `feeds`) elsewhere; a file at the top of src (main.ts, config.ts …) is its own layer.
 */
export function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') return parts[0] ?? file;
  if (parts.length > 2) return `src/${parts[1]}`;
  return file.replace(/\.ts$/, '');
}

// `from '…'`, a bare `import '…'` and `import('…')`, each with a relative specifier.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import in one source text, with the line its specifier is on. */
export function arrowsOf(file: string, text: string): ImportArrow[] {
  const arrows: ImportArrow[] = [];
  text.split('\n').forEach((source, index) => {
    for (const match of source.matchAll(SPECIFIER)) {
      const specifier = match[1] as string;
      const target = path.posix
        .normalize(path.posix.join(path.posix.dirname(file), specifier))
        .replace(/\.js$/, '.ts');
      arrows.push({ file, line: index + 1, target });
    }
  });
  return arrows;
}

/** The arrows that point the wrong way, one line each: `file:line → target (why)`. */
export function wrongArrows(arrows: readonly ImportArrow[], rules: readonly LayerRule[]): string[] {
  const wrong: string[] = [];
  for (const arrow of arrows) {
    const from = layerOf(arrow.file);
    const to = layerOf(arrow.target);
    if (from === to) continue;
    for (const rule of rules) {
      if (rule.layer !== from) continue;
      const refused =
        (rule.only !== undefined && !rule.only.includes(to)) || (rule.never ?? []).includes(to);
      if (refused) wrong.push(`${arrow.file}:${arrow.line} → ${arrow.target} (${rule.why})`);
    }
  }
  return wrong;
}

/** The TypeScript files under the given folders, as paths relative to `root`. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) found.push(child);
    }
  };
  for (const folder of folders) walk(folder);
  return found.sort();
}

export function arrowsUnder(root: string, folders: readonly string[]): ImportArrow[] {
  return sourceFiles(root, folders).flatMap((file) =>
    arrowsOf(file, readFileSync(path.join(root, file), 'utf8')),
  );
}
