/**
 * Type-checks every ```ts / ```typescript block of README.md and docs/**\/*.md under the
 * project's own strict settings (tsconfig.json: strict, exactOptionalPropertyTypes,
 * noUncheckedIndexedAccess...), so the docs cannot drift from the library's types.
 *
 * Each block becomes its own module in `node_modules/.cache/docs-check/` (named after the doc
 * and the line of its fence), `phoneproof` and `phoneproof/<subpath>` resolve to the source
 * entry points, and `@types/node` and `@types/express` are available. Errors are reported as
 * `docs/page.md:LINE`.
 *
 * Blocks that use names defined elsewhere on the page (a `verifier`, an `app`, a `log`) get
 * them from one shared prelude of declared placeholders, {@link PRELUDE}: a block's own
 * declaration of the same name wins (module scope shadows the global one). A block that is
 * deliberately not a program (a type signature excerpt, a fragment with `...`) is skipped
 * with an HTML comment right before its fence, with a reason:
 *
 *     <!-- docs-check: skip (signature excerpt, not a program) -->
 *
 * Run: `npm run docs:check`. Exit code 1 when any block fails.
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { sourceAliases } from './entries';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'node_modules', '.cache', 'docs-check');

/** A fenced TypeScript block of one page. */
export interface DocBlock {
  /** Page path relative to the project root, e.g. `docs/fastify.md`. */
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** Reason given in `<!-- docs-check: skip (reason) -->`, when the block is skipped. */
  readonly skip?: string;
  /**
   * What the page set up before this block, on one line: the imports of its earlier blocks
   * (of modules this block does not import itself) and the page's
   * `<!-- docs-check: declare ... -->` comments (e.g. `declare const app: FastifyInstance`).
   */
  readonly context: string;
}

const FENCE = /^(\s*)```(ts|typescript)\b/;
const SKIP = /<!--\s*docs-check:\s*skip\s*\((.+)\)\s*-->/;
const DECLARE = /<!--\s*docs-check:\s*(declare\s.*?)\s*-->/;
const IMPORT = /^import\s[\s\S]*?from\s*['"]([^'"]+)['"];?/gm;

/** The local names an import statement binds. */
function importedNames(statement: string): string[] {
  const clause = /^import\s+(?:type\s+)?([\s\S]*?)\s+from\s/.exec(statement)?.[1] ?? '';
  return clause
    .replace(/[{}*]/g, ',')
    .split(',')
    .map(
      (part) =>
        part
          .trim()
          .split(/\s+as\s+/)
          .pop()
          ?.replace(/^type\s+/, '') ?? '',
    )
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
}

/** The import statements of a block's code, each on one line, by module. */
function importsOf(code: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of code.matchAll(IMPORT)) {
    const from = m[1] ?? '';
    found.set(from, `${found.get(from) ?? ''} ${m[0].replace(/\s+/g, ' ')}`.trim());
  }
  return found;
}

/** The TypeScript blocks of one page's Markdown, with their fence line and skip marker. */
export function extractBlocks(page: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  const declared: string[] = [];
  const imported = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const declare = DECLARE.exec(lines[i] ?? '')?.[1];
    if (declare !== undefined) declared.push(declare.endsWith(';') ? declare : `${declare};`);
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1] ?? '';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? '').trim().startsWith('```'); j++) {
      body.push((lines[j] ?? '').startsWith(indent) ? (lines[j] ?? '').slice(indent.length) : '');
    }
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
    const skip = SKIP.exec(lines[k] ?? '')?.[1];
    const code = body.join('\n');
    const own = importsOf(code);
    const names = [...own.values()].flatMap((line) => importedNames(line));
    const carried = [...imported]
      .filter(
        ([from, line]) => !own.has(from) && !names.some((n) => new RegExp(`\\b${n}\\b`).test(line)),
      )
      .map(([, line]) => line);
    blocks.push({
      page,
      line: i + 1,
      code,
      context: [...carried, ...declared].join(' '),
      ...(skip === undefined ? {} : { skip }),
    });
    if (skip === undefined) {
      for (const [from, line] of own) {
        const before = imported.get(from);
        imported.set(
          from,
          before === undefined ? line : before.includes(line) ? before : `${before} ${line}`,
        );
      }
    }
    i = j;
  }
  return blocks;
}

/**
 * Placeholders the docs' snippets may use without defining them: what the surrounding page
 * has already set up. Declared only, never run.
 */
export const PRELUDE = `
import type { Verifier, Secret, Sender, Store, ConsentLedger, VerifyError } from 'phoneproof';
import type { Express, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { IncomingHttpHeaders } from 'node:http';

declare global {
  /** The verifier created earlier on the page (proofs on, the default). */
  const verifier: Verifier<true>;
  /** A secret of at least 32 bytes (e.g. \`process.env.PHONEPROOF_SECRET\`). */
  const secret: Secret;
  const sender: Sender;
  const store: Store;
  const ledger: ConsentLedger;
  /** An Express app. */
  const app: Express;
  /** A Fastify instance. */
  const fastify: FastifyInstance;
  const redis: Redis;
  const pool: Pool;
  /** The application's logger. */
  const log: {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  };
  /** The application's own session lookup (Express or Fastify request). */
  function userOf(request: { headers: IncomingHttpHeaders }):
    | { id: string; roles: string[]; phone?: string }
    | undefined;
  const req: Request;
  const res: Response;
  const error: VerifyError;
  /** Values from the request or the surrounding code. */
  const phone: string;
  const code: string;
  const id: string;
  const body: Record<string, string>;
  const rawBody: Buffer;
  const deviceId: string;
  const userId: string;
  const idempotencyKey: string;
  const user: { id: string; email: string; phone?: string };
  /** Provider credentials (from the environment). */
  const accountSid: string;
  const authToken: string;
  const apiKey: string;
  const apiSecret: string;
  const from: string;
}
export {};
`;

/** Modules of newer runtimes than this project's @types/node (Node 20). */
const AMBIENT = `
declare module 'node:sqlite' {
  /** Node 22.5+. */
  export const DatabaseSync: new (path: string) => import('phoneproof/sqlite').SqliteDatabaseLike;
}
`;

function pages(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found.sort();
}

function fileName(block: DocBlock): string {
  return `${block.page.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${block.line}.ts`;
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // The package's own specifiers resolve to its sources; tsconfig's other paths (the
  // `#crypto-backend` internal import) are kept, so no build is needed first.
  const paths = {
    ...parsed.options.paths,
    ...Object.fromEntries(
      Object.entries(sourceAliases()).map(([specifier, file]) => [specifier, [join(root, file)]]),
    ),
  };
  return {
    ...parsed.options,
    types: ['node', 'express'],
    paths,
    noEmit: true,
    // A snippet may import or declare what it shows without using all of it.
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
}

function main(): number {
  const blocks = pages().flatMap((page) =>
    extractBlocks(page, readFileSync(join(root, page), 'utf8')),
  );
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const prelude = join(out, 'prelude.d.ts');
  writeFileSync(prelude, PRELUDE);
  const ambient = join(out, 'ambient.d.ts');
  writeFileSync(ambient, AMBIENT);
  const byFile = new Map<string, DocBlock>();
  const skipped = blocks.filter((b) => b.skip !== undefined);
  for (const block of blocks) {
    if (block.skip !== undefined) continue;
    const file = join(out, fileName(block));
    // The fence is line 1 of the file, so a diagnostic's line maps back to the page's line.
    writeFileSync(
      file,
      `${block.context} // ${block.page}:${block.line}\n${block.code}\nexport {};\n`,
    );
    byFile.set(file, block);
  }
  const program = ts.createProgram([prelude, ambient, ...byFile.keys()], compilerOptions());
  const diagnostics = ts.getPreEmitDiagnostics(program);
  let failed = 0;
  const failedBlocks = new Set<DocBlock>();
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
    const block = d.file ? byFile.get(resolve(d.file.fileName)) : undefined;
    if (d.file && block && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      console.error(`${block.page}:${block.line + line}: TS${d.code} ${message}`);
      failedBlocks.add(block);
    } else if (d.file && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      console.error(`${relative(root, d.file.fileName)}:${line + 1}: TS${d.code} ${message}`);
    } else {
      console.error(`TS${d.code} ${message}`);
    }
    failed++;
  }
  console.log(
    `docs:check: ${byFile.size} TypeScript blocks checked from ${new Set(blocks.map((b) => b.page)).size} pages, ` +
      `${failedBlocks.size} failed (${failed} errors), ${skipped.length} skipped:`,
  );
  for (const b of skipped) console.log(`  skipped ${b.page}:${b.line} (${b.skip})`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = main();
}
