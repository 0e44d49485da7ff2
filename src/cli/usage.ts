/** Help texts of the `proctor-node` commands, the exit codes, and argument parsing with `--help` and usage errors. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

const EXIT_CODES = `Exit codes:
  0   success (also when standard output is closed early, as by \`| head\`)
  1   findings: validate --strict found invalid tests; explain: the test is not in the matrix (or was rejected);
      types --check: the module is stale; check-templates: a template reads what the tests do not have
  2   rejected input: not a test matrix, or a bad Pipet configuration
  3   rejected specification: the --spec file is not a Proctor specification
  64  usage error: unknown command or option, missing or bad option value
  66  cannot read an input: the matrix (for serve, also a matrix URL), specification, configuration, stdin
  69  serve: cannot listen on the port or host
  70  internal error: a bug, or an unexpected system error such as a full disk`;

/** One command: its usage line and the text `<command> --help` prints below it. */
interface CommandHelp {
  readonly usage: string;
  readonly details: string;
}

export const COMMANDS = {
  validate: {
    usage: 'proctor-node validate <matrix.json> [--spec <specification.json>] [--strict]',
    details: `Check a Proctor test matrix. Each invalid test is printed on stderr with its field and value; stdout gets
one summary line.

Options:
  --spec <file>   your application's Proctor specification: required tests, payload types, provided context
  --strict        exit 1 when some test is invalid (default: 0, the invalid tests are only reported)

Exit 2 when the document is not a test matrix, 3 when the specification is not a Proctor specification.
The specification is read as Java reads it: // and /* */ comments are allowed (not in the matrix).`,
  },
  assign: {
    usage: 'proctor-node assign --matrix <matrix.json> [--spec <file>] [--identifier-validator noop|noEmpty] < requests.jsonl',
    details: `Read one JSON request per line on stdin, write one JSON line of groups per request, in order:
  in:  {"identifiers":{"USER":"…"},"context":{…},"forceGroups":"…","tests":[…],"randomEnabled":false}
  out: {"groups":{"<test>":{"name":"…","value":0,"payload":{…}|null,"allocation":"#A1"|""|null}}}
A bad line gets {"error":"…"} and the run goes on. Rule errors are logged on stderr once per test and
cause, then as a count.

Options:
  --matrix <file>                       the test matrix (required)
  --spec <file>                         your application's Proctor specification
  --identifier-validator noop|noEmpty   noEmpty treats "" as a missing identifier (default: noop)`,
  },
  explain: {
    usage:
      'proctor-node explain --matrix <matrix.json> --test <name> [--id TYPE=value ...] [--ctx key=value ...] [--force <prforceGroups>] [--random] [--json]',
    details: `Say why a user gets a bucket, step by step: the rules evaluated and their values, the hash, the cutoffs and
the chosen range.

Options:
  --matrix <file>                       the test matrix (required)
  --test <name>                         the test to explain (required)
  --id TYPE=value                       an identifier, e.g. USER=pa5xq0lz4n80 (repeatable)
  --ctx key=value                       a context variable, read as JSON when it parses (5, true), else text (repeatable)
  --force <prforceGroups>               force groups, as in ?prforceGroups=buttoncolortst2
  --random                              enable RANDOM tests
  --json                                print the explanation as JSON
  --spec <file>                         your application's Proctor specification
  --identifier-validator noop|noEmpty   noEmpty treats "" as a missing identifier (default: noop)

Exit 1 when the test is not in the matrix (or was rejected).`,
  },
  types: {
    usage: 'proctor-node types (--spec <specification.json> | --matrix <matrix.json>) [--out <file.ts>] [--check] [--no-register]',
    details: `Write a TypeScript module that declares the tests: each one's bucket names and values and its payload
type (ProctorTests), the test names (proctorTests), and the Register declaration that types every proc,
req.proc included: proc.<test>.group is then the union of its bucket names, and a typo in a test or bucket
name is a compile error. Without --out the module goes to stdout.

Options:
  --spec <file>     your application's Proctor specification: its tests, buckets and payload types
  --matrix <file>   without a specification: every test the matrix loads, with its buckets and payloads
  --out <file.ts>   write the module there: .ts, or .mts beside .mts code (TypeScript types the ESM and
                    CommonJS sides of a package apart), or .d.ts for the types only
  --check           do not write: exit 1 when --out differs from what would be written (for CI)
  --no-register     leave out the Register declaration (then pass ProctorTests as a type parameter)

Exit 2 when the document is not a specification or matrix.`,
  },
  'check-templates': {
    usage: 'proctor-node check-templates <dir> (--matrix <matrix.json> | --spec <specification.json>) [--context-key proc]',
    details: `Find the tests, bucket names and payload reads in the Nunjucks (.njk), Handlebars (.hbs) and EJS (.ejs)
templates under <dir>: proc.<test>, the arguments of {% proctor %}, {{#proctor}} and proctor(), procPayload
and procScript. Each test the matrix or specification lacks, each bucket name or value the test does not
have and each payload read of a test without a payload is printed with its file, line and column.

Options:
  --matrix <file>        the test matrix: its tests, their buckets and payloads
  --spec <file>          or your application's specification: the tests it declares
  --context-key <name>   the template variable holding the proc (default: proc)

Exit 1 when something was found, 2 when the document is not a matrix or specification.`,
  },
  serve: {
    usage:
      'proctor-node serve --matrix <file|url> --config <pipet-config.json> [--port 8080] [--host 127.0.0.1] [--reload-seconds 10] [--max-query-length 8192]',
    details: `Run a Pipet-compatible REST service until SIGTERM or SIGINT (then exit 0). Prints the URL on stdout,
logs JSON lines on stderr.

Options:
  --matrix <file|url>      the test matrix, a file or an http(s) URL (required)
  --config <file>          the Pipet configuration: context variables and identifiers (required)
  --port <n>               port to listen on, 0 for any free port (default: 8080)
  --host <address>         address to listen on (default: 127.0.0.1)
  --reload-seconds <n>     reload the matrix this often when its audit.version changes, 0 never (default: 10)
  --max-query-length <n>   longest query string of /groups/identify, in characters; longer: 400 (default: 8192)

Limits (each answered with the Pipet JSON envelope):
  query string             --max-query-length, default 8192 characters: 400
  request line + headers   64 KiB: 431
  time to send the headers 60 s: 408, then the connection is closed
  HTTP/1.1 without Host    400
  a malformed %-escape     that parameter is dropped, as Tomcat does (invalid UTF-8 reads as U+FFFD)
  other methods            OPTIONS: 200 with Allow: GET,HEAD,OPTIONS; POST, PUT…: 405 with Allow: GET
  shutdown                 in-flight requests get 10 s after SIGTERM/SIGINT, then connections are cut
  matrix download          30 s per fetch of a matrix URL`,
  },
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** The usage lines of every command. */
export const USAGE = `Usage:
  ${COMMANDS.validate.usage}
      check a test matrix
  ${COMMANDS.assign.usage}
      JSON lines on stdin -> one JSON line of groups per line
  ${COMMANDS.explain.usage}
      why a user gets a bucket, step by step
  ${COMMANDS.types.usage}
      a TypeScript module declaring the tests: typed proc.<test>.group, value and payload
  ${COMMANDS['check-templates'].usage}
      find tests, buckets and payload reads in templates that the tests do not have
  ${COMMANDS.serve.usage}
      run a Pipet-compatible REST service
  proctor-node <command> --help      the options of one command (also: proctor-node help <command>)
  proctor-node --version             the version of proctor-node
`;

/** `proctor-node --help`. */
export const OVERVIEW = `proctor-node: Proctor A/B testing for Node.js

${USAGE}
${EXIT_CODES}
`;

/** `proctor-node <command> --help`. */
export function commandHelp(name: CommandName): string {
  const { usage, details } = COMMANDS[name];
  return `usage: ${usage}\n\n${details}\n\nExit codes: see proctor-node --help.\n`;
}

/** A usage error for `command`: the problem, then the command's usage line. */
export function usageError(command: CommandName, problem: string): UsageError {
  return new UsageError(`${problem}\nusage: ${COMMANDS[command].usage}\n(proctor-node ${command} --help for the options)`);
}

/** True when `--help`/`-h` is among the arguments (before a `--` terminator). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** `parseArgs` (strict) whose errors are usage errors naming the option, followed by the command's usage. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: CommandName,
  args: string[],
  options: T,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs: "Unknown option '--x'. To specify a positional argument starting with a '-', …": the first sentence.
    const message = (error as Error).message.replace(/\. To specify a positional argument[\s\S]*$/, '');
    throw usageError(command, message);
  }
}
