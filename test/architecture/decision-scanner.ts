import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BLOCKERS, DECISION_RESULTS } from '../../src/domain/index.js';

/**
 * Finds code outside src/domain that decides instead of translating: a blocker code written as a
 * string literal, or a decision result compared, switched on or defaulted to. Such code belongs
 * in a named domain function (src/domain/projections.ts and its neighbours) that callers use.
 * The scan works on the source with comments blanked out, so a comment may still name a code.
 */

export interface Finding {
  /** path relative to the scanned root, with forward slashes */
  file: string;
  /** 1-based */
  line: number;
  rule: string;
  text: string;
}

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (words: readonly string[]) => words.map(escapeRegExp).join('|');

/** A string literal holding one of the words, in any of the three quotes. */
const literalOf = (words: readonly string[]) => {
  const any = alternation(words);
  return `(?:'(?:${any})'|"(?:${any})"|\`(?:${any})\`)`;
};
const CODE_LITERAL = literalOf(Object.keys(BLOCKERS));
const RESULT_LITERAL = literalOf(DECISION_RESULTS);
const EQUALITY = '[!=]==?';

/** Each rule is a pattern over one line of comment-free source. */
export const DECISION_RULES: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'blocker-code literal', pattern: new RegExp(CODE_LITERAL) },
  {
    rule: 'comparison with a decision result',
    pattern: new RegExp(
      `${EQUALITY}\\s*${RESULT_LITERAL}|${RESULT_LITERAL}\\s*${EQUALITY}|\\bcase\\s+${RESULT_LITERAL}`,
    ),
  },
  {
    rule: 'decision result defaulted',
    pattern: new RegExp(`(?:\\?\\?|\\|\\|)\\s*${RESULT_LITERAL}`),
  },
  {
    rule: 'comparison of .result',
    pattern: new RegExp(
      `\\.result\\s*${EQUALITY}|${EQUALITY}\\s*[\\w$.?]*\\.result\\b|\\bswitch\\s*\\(\\s*[\\w$.?]*\\.result\\s*\\)`,
    ),
  },
  {
    rule: 'decision .allowed tested',
    pattern: new RegExp(
      `\\.allowed\\s*(?:${EQUALITY}|&&|\\|\\||\\?(?![.?]))|${EQUALITY}\\s*[\\w$.?]*\\.allowed\\b|!\\s*[\\w$.?]*\\.allowed\\b|\\bif\\s*\\(\\s*[\\w$.?]*\\.allowed\\s*\\)`,
    ),
  },
  {
    rule: 'blockers inspected',
    pattern:
      /\b(?:blockers|warnings)\s*\??\.\s*(?:some|every|find|findIndex|findLast|filter|includes|indexOf)\s*\(/,
  },
];

/**
 * The source with every comment replaced by spaces (newlines kept, so line numbers hold).
 * Strings and template literals are kept as they are; `${…}` inside a template is code again.
 * Regular-expression literals are not recognised: a `//` or a quote inside one would confuse
 * the scan, and none of the scanned files needs one there.
 */
export function withoutComments(source: string): string {
  const out: string[] = [];
  /** one entry per open template literal: the brace depth of code inside its `${…}` */
  const templates: number[] = [];
  let braces = 0;
  let i = 0;
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out.push(blank(source.slice(i, stop)));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out.push(blank(source.slice(i, stop)));
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== '\n')
        j += source[j] === '\\' ? 2 : 1;
      out.push(source.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`' || (c === '}' && templates.length > 0 && braces === templates.at(-1))) {
      // a template's text, from its opening backtick (or the `}` closing a `${`) to its end or
      // the next `${`
      if (c === '}') templates.pop();
      let j = i + 1;
      while (
        j < source.length &&
        source[j] !== '`' &&
        !(source[j] === '$' && source[j + 1] === '{')
      )
        j += source[j] === '\\' ? 2 : 1;
      if (source[j] === '$') {
        templates.push(braces);
        out.push(source.slice(i, j + 2));
        i = j + 2;
      } else {
        out.push(source.slice(i, j + 1));
        i = j + 1;
      }
    } else {
      if (c === '{') braces++;
      else if (c === '}') braces--;
      out.push(c);
      i++;
    }
  }
  return out.join('');
}

/** Every rule a source breaks, line by line. */
export function scanSource(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const lines = withoutComments(source).split('\n');
  lines.forEach((text, index) => {
    for (const { rule, pattern } of DECISION_RULES)
      if (pattern.test(text)) findings.push({ file, line: index + 1, rule, text: text.trim() });
  });
  return findings;
}

/** The TypeScript files under a directory of the repository, relative to `root`, sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(?:ts|mts|cts)$/.test(entry.name))
    .map((entry) =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    )
    .sort();
}

/** Scans every TypeScript file under the directories. */
export function scanTree(root: string, dirs: readonly string[]): Finding[] {
  return dirs
    .flatMap((dir) => sourceFiles(root, dir))
    .flatMap((file) => scanSource(file, readFileSync(path.join(root, file), 'utf8')));
}

/** `feeds/x.ts:12 comparison of .result — if (d.result === 'allowed')`, one per line. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line} ${f.rule} — ${f.text}`).join('\n');
}
