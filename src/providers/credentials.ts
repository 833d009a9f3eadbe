/**
 * Where the crypto officer's credentials come from: an environment variable or a file,
 * never a command-line argument (visible in `ps`), never a log line. On AWS, Secrets
 * Manager (src/providers/aws).
 */
import { readFile, stat } from 'node:fs/promises';
import { ConfigurationError } from '#core/errors.ts';
import { type Credentials, Secret, type SecretReader } from '#core/secret.ts';

export interface CredentialsSource {
  get(): Promise<Credentials>;
}

export type CredentialsSpec =
  | {
      from: 'env';
      usernameVariable?: string | undefined;
      passwordVariable: string;
      /** The role in the tool's words (mgmt-util CO/PCO); the tool's default when absent. */
      role?: string | undefined;
      /**
       * A variable naming the secret's version (e.g. the Key Vault secret version behind an
       * app setting reference): the lockout guard's key. Without it the source cannot tell
       * a rotated password from the refused one.
       */
      versionVariable?: string | undefined;
    }
  | { from: 'file'; path: string };

const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,31}$/;

/** Checks a user name before it is typed into a util prompt: no spaces, no newlines. */
export function checkUsername(username: unknown, where: string): string {
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
    throw new ConfigurationError(
      `${where}: the user name must be 1-31 letters, digits or _ . @ - (no spaces or newlines)`,
    );
  }
  return username;
}

/** A password is typed as one token of one line: whitespace would split or end the command. */
export function checkPassword(password: unknown, where: string): Secret {
  if (typeof password !== 'string' || password.length === 0 || /\s/.test(password)) {
    throw new ConfigurationError(`${where}: the password must be non-empty with no whitespace`);
  }
  return new Secret(password);
}

export function credentialsSource(
  spec: CredentialsSpec,
  env: NodeJS.ProcessEnv = process.env,
): CredentialsSource {
  if (spec.from === 'env') {
    return {
      async get() {
        const userVar = spec.usernameVariable ?? 'HSM_SENTINEL_CO_USER';
        const username = checkUsername(env[userVar] ?? 'admin', `environment variable ${userVar}`);
        const value = env[spec.passwordVariable];
        if (value === undefined) {
          throw new ConfigurationError(
            `environment variable ${spec.passwordVariable} is not set (the CO password)`,
          );
        }
        const version = spec.versionVariable ? env[spec.versionVariable]?.trim() || null : null;
        return {
          username,
          password: checkPassword(value, `environment variable ${spec.passwordVariable}`),
          role: spec.role ?? null,
          version: version === null ? null : `${spec.versionVariable}=${version}`,
        };
      },
    };
  }
  return {
    async get() {
      const info = await stat(spec.path).catch((cause: unknown) => {
        throw new ConfigurationError(`credentials file ${spec.path} cannot be read`, { cause });
      });
      if ((info.mode & 0o077) !== 0) {
        throw new ConfigurationError(`credentials file ${spec.path} is readable by others: chmod 600 it`);
      }
      let parsed: { userType?: unknown; role?: unknown; username?: unknown; password?: unknown };
      const text = await readFile(spec.path, 'utf8').catch((cause: unknown) => {
        throw new ConfigurationError(`credentials file ${spec.path} cannot be read`, { cause });
      });
      try {
        parsed = JSON.parse(text);
      } catch {
        // No cause: JSON.parse errors quote the text around the bad token, i.e. the password.
        throw new ConfigurationError(`credentials file ${spec.path} is not JSON {username, password}`);
      }
      return {
        username: checkUsername(parsed.username, `credentials file ${spec.path}`),
        password: checkPassword(parsed.password, `credentials file ${spec.path}`),
        role: roleOf(parsed, `credentials file ${spec.path}`),
        // A rewritten file is a new version: its modification time, to the millisecond.
        version: `mtime ${info.mtime.toISOString()}`,
      };
    },
  };
}

/** `role` (or the older `userType`) of a credentials document: a word, or null for the tool's default. */
export function roleOf(fields: { role?: unknown; userType?: unknown }, where: string): string | null {
  const role = fields.role ?? fields.userType;
  if (role === undefined || role === null) return null;
  if (typeof role !== 'string' || !/^[A-Za-z][A-Za-z_-]{0,31}$/.test(role)) {
    throw new ConfigurationError(`${where}: "role" must be a word such as CO, PCO, admin or crypto-user`);
  }
  return role;
}

/**
 * Named secrets on this machine (a cluster file's tool settings): `env:NAME` is the password
 * in environment variable NAME; `file:PATH` a chmod 600 JSON file `{"username","password"}`
 * (the credentials file's format). Errors name the reference, never the value.
 */
export function localSecretReader(env: NodeJS.ProcessEnv = process.env): SecretReader {
  return {
    async read(reference) {
      if (reference.startsWith('env:')) {
        const name = reference.slice(4);
        const value = env[name];
        if (value === undefined)
          throw new ConfigurationError(`secret ${reference}: environment variable ${name} is not set`);
        // An environment variable has no versions: a refusal of it stays until removed by hand.
        return { password: checkPassword(value, `secret ${reference}`), version: null };
      }
      if (reference.startsWith('file:')) {
        const { password, version } = await credentialsSource({
          from: 'file',
          path: reference.slice(5),
        }).get();
        return { password, version };
      }
      throw new ConfigurationError(
        `secret reference ${reference}: expected env:NAME or file:PATH on this machine`,
      );
    },
  };
}
