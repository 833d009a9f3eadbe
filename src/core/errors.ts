/**
 * One error hierarchy. The `name` of each class is the string the ASL Retry/Catch blocks
 * match on (statemachines/*.asl.json), so it is defined once here and used everywhere.
 */

export const ERROR_NAMES = {
  base: 'HsmSentinelError',
  credentialsRejected: 'CredentialsRejectedError',
  transport: 'TransportError',
  commandTimeout: 'CommandTimeoutError',
  parse: 'ParseError',
  clusterNotStable: 'ClusterNotStableError',
  membershipChanged: 'MembershipChangedError',
  invalidInput: 'InvalidInputError',
  configuration: 'ConfigurationError',
  alertDelivery: 'AlertDeliveryError',
  backup: 'BackupError',
  syncCommand: 'SyncCommandError',
  toolCommand: 'ToolCommandError',
  unknownNode: 'UnknownNodeError',
  artifactStore: 'ArtifactStoreError',
  artifactNotFound: 'ArtifactNotFoundError',
  lockoutGuard: 'LockoutGuardError',
  runLocked: 'RunLockedError',
} as const;

export type ErrorName = (typeof ERROR_NAMES)[keyof typeof ERROR_NAMES];

export type ErrorContext = Record<string, string | number | boolean | null | undefined>;

export interface SentinelErrorOptions extends ErrorOptions {
  context?: ErrorContext;
}

export class HsmSentinelError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = ERROR_NAMES.base;
    this.context = options.context ?? {};
  }
}

/** The HSM refused the login for its credentials. Never retried: HSMs lock accounts. */
export class CredentialsRejectedError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.credentialsRejected;
  }
}

/**
 * The lockout guard kept the login back: the account is locked, at the policy's failure limit,
 * or its credential was refused before (same secret version). Never retried: only a new secret
 * version, or a human's successful login, changes that.
 */
export class LockoutGuardError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.lockoutGuard;
  }
}

/** Another run of the same cluster holds its run lock: this one starts nothing. */
export class RunLockedError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.runLocked;
  }
}

/** Could not connect, connection lost, process died: retryable. */
export class TransportError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.transport;
  }
}

/** A command did not answer within its deadline: retryable. */
export class CommandTimeoutError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.commandTimeout;
  }
}

/** Output that does not follow the documented grammar (unknown line, cut short). */
export class ParseError extends HsmSentinelError {
  readonly command: string;
  /** 1-based line number within the command's reply, 0 when the problem is the whole reply. */
  readonly line: number;
  constructor(command: string, line: number, message: string, options: SentinelErrorOptions = {}) {
    super(`${command}: line ${line}: ${message}`, options);
    this.name = ERROR_NAMES.parse;
    this.command = command;
    this.line = line;
  }
}

/** Nodes are being created or deleted: wait and retry. */
export class ClusterNotStableError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.clusterNotStable;
  }
}

/** The node set changed between Resolve and Sync: write nothing. */
export class MembershipChangedError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.membershipChanged;
  }
}

/** A malformed event, request or file. */
export class InvalidInputError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.invalidInput;
  }
}

/** Something required is missing from the environment or a config file. */
export class ConfigurationError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.configuration;
  }
}

export class AlertDeliveryError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.alertDelivery;
  }
}

export class BackupError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.backup;
  }
}

/** A repair the HSM answered with an error. */
export class SyncCommandError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.syncCommand;
  }
}

/**
 * A command of the node-access tool ended with the tool's own error code (not a refused
 * login, not a lost connection): not retried, the run says what the tool answered.
 */
export class ToolCommandError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.toolCommand;
  }
}

export class UnknownNodeError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.unknownNode;
  }
}

/**
 * A node was read but what was read could not be kept. Not retried: retrying would read, and
 * log in, again; the run fails and says so instead.
 */
export class ArtifactStoreError extends HsmSentinelError {
  constructor(message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.artifactStore;
  }
}

/** Nothing is stored under the key asked for (never written, or removed by a lifecycle rule). */
export class ArtifactNotFoundError extends HsmSentinelError {
  readonly key: string;
  constructor(key: string, message: string, options: SentinelErrorOptions = {}) {
    super(message, options);
    this.name = ERROR_NAMES.artifactNotFound;
    this.key = key;
  }
}
