/**
 * What a command is (usage, options, run) and the one place that parses its arguments,
 * answers --help, and hands it a context with the output streams and a lazily built client.
 */
import { ApiError } from '../client/api-error.js';
import { IdentityClient } from '../client/identity-client.js';
import { ImageClient } from '../client/image-client.js';
import { flagOption, parseCommandArgs, UsageError, type OptionSpecs, type ParsedArgs } from './args.js';
import { writeLine, type CliIo } from './cli-io.js';
import { establish, resolveConnection } from './connection.js';
import { ProgressBar } from './progress.js';

export interface CommandContext {
  io: CliIo;
  /** --json: print the API's JSON instead of tables. */
  json: boolean;
  client(): ImageClient;
  /** The identity API (Imago's /identity/v3 or OS_AUTH_URL) with the same token. */
  identity(): IdentityClient;
  progress(label: string): ProgressBar;
}

export interface Command {
  name: string;
  /** Everything after `imago `, e.g. `image show IMAGE`. */
  usage: string;
  summary: string;
  /** Option lines shown by --help. */
  help?: string;
  options: OptionSpecs;
  /** Works without a server (serve, local files): never logs in with OS_* credentials. */
  local?: boolean;
  run(context: CommandContext, args: ParsedArgs): Promise<number | void>;
}

export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `global options:
  --url URL       server endpoint (or IMAGO_URL, OS_IMAGE_URL; default http://127.0.0.1:9292)
  --token TOKEN   X-Auth-Token to send (or IMAGO_TOKEN, OS_TOKEN, OS_AUTH_TOKEN)
                  without a token, OS_AUTH_URL with OS_USERNAME, OS_PASSWORD and OS_PROJECT_NAME
                  (or OS_APPLICATION_CREDENTIAL_ID and _SECRET) log in and find the image URL
  --json          print JSON for scripts instead of tables
  -h, --help      show help`;

export function commandHelp(command: Command): string {
  return [`usage: imago ${command.usage}`, '', command.summary, ...(command.help ? ['', command.help] : []), '', GLOBAL_HELP].join('\n');
}

export async function runCommand(command: Command, argv: string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandArgs(argv, { ...GLOBAL_OPTIONS, ...command.options });
  } catch (err) {
    throw withUsage(err, command);
  }
  if (flagOption(args.values, 'help')) {
    writeLine(io.stdout, commandHelp(command));
    return 0;
  }
  let client: ImageClient | undefined;
  let identity: IdentityClient | undefined;
  const planned = resolveConnection(args.values, io.env);
  const connection = command.local ? planned : await establish(planned);
  const context: CommandContext = {
    io,
    json: flagOption(args.values, 'json'),
    client: () => {
      if (client === undefined) {
        try {
          client = new ImageClient(connection);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      return client;
    },
    identity: () => {
      if (identity === undefined) {
        try {
          identity = new IdentityClient({ authUrl: connection.authUrl, ...(connection.token !== undefined ? { token: connection.token } : {}) });
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      return identity;
    },
    progress: (label) => new ProgressBar(io.stderr, label),
  };
  try {
    return (await command.run(context, args)) ?? 0;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && connection.token === undefined) {
      throw new Error(`${err.message} (no token was sent: use --token or set IMAGO_TOKEN, or OS_AUTH_URL with OS_USERNAME and OS_PASSWORD)`);
    }
    throw withUsage(err, command);
  }
}

/** Usage errors raised anywhere in a command are reported with that command's usage line. */
function withUsage(err: unknown, command: Command): unknown {
  return err instanceof UsageError && err.usage === undefined ? new UsageError(err.message, `imago ${command.usage}`) : err;
}
