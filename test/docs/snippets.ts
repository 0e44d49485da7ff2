// The code blocks of the README files, with the marker that says what each one is for. Every fenced block
// is preceded by an HTML comment (invisible on GitHub and npm):
//   <!-- snippet: <project>/<file> -->      a file of a newcomer's project; `install.sh` holds its setup
//                                          commands, run first, in order
//   <!-- snippet: fragment of <file> -->    lines that appear, as written, in that file of this repository
//   <!-- snippet: repository -->           commands run in a checkout of this repository
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Snippet {
  /** `README.md:42`, for messages. */
  readonly where: string;
  readonly lang: string;
  readonly code: string;
  readonly marker: string | null;
}

export function readSnippets(root: string, file: string): Snippet[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i] ?? '');
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== '```') j++;
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const marker = /^<!-- snippet: (.+?) -->$/.exec(lines[k] ?? '')?.[1] ?? null;
    out.push({ where: `${file}:${i + 1}`, lang: open[1] ?? '', code: `${lines.slice(i + 1, j).join('\n')}\n`, marker });
    i = j;
  }
  return out;
}

/** What a script's `// → text` comments say it prints, in order (one output line each). */
export function expectedOutput(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const at = line.indexOf('// → ');
    if (at >= 0) out.push(line.slice(at + 5).trimEnd());
  }
  return out;
}

/** The commands of a shell block: one per line, comments and blank lines dropped. */
export function commands(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}
