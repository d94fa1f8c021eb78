// The logging mail does: one `info(obj, msg)` line per message sent or written (never its body).
// Declared here rather than imported, so mail needs no logging library: a pino logger fits as is.
export interface MailLogger {
  info(obj: object, msg?: string): void;
}

/** Used when no logger is given. */
export const silentLogger: MailLogger = { info: () => undefined };
