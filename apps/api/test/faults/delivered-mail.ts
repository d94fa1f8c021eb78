// What the workers delivered: messages per recipient, from the file mailer's .eml files or an
// SMTP server's log, and whether every acknowledged job got its mail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type SmtpSink } from '@rnh/test-utils';

/** Messages per recipient address in `mailDir`. */
export function mailPerRecipient(mailDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  let files: string[] = [];
  try {
    files = readdirSync(mailDir).filter((file) => file.endsWith('.eml'));
  } catch {
    return counts;
  }
  for (const file of files) {
    const to = /^To:\s*(?:.*<)?([^<>\s]+@[^<>\s]+)>?\s*$/im.exec(
      readFileSync(join(mailDir, file), 'utf8'),
    )?.[1];
    if (to) counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
  }
  return counts;
}

export interface DeliveryCheck {
  acknowledged: number;
  delivered: number;
  /** Acknowledged addresses that never got their mail. */
  lost: string[];
  /** Addresses that got more than one. */
  duplicated: string[];
}

/** Messages per recipient address an SMTP server accepted. */
export function smtpPerRecipient(sink: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of sink.received)
    for (const recipient of message.to) {
      const address = recipient.replace(/^<|>$/g, '').toLowerCase();
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
  return counts;
}

/**
 * Waits (up to `timeoutMs`) until every address in `owed` got its mail, then says what arrived.
 * `delivered` counts messages per address (`mailPerRecipient`, `smtpPerRecipient`). Resolves
 * either way: the test asserts on `lost`, and prints the whole check.
 */
export async function waitForDelivery(
  delivered: () => Map<string, number>,
  owed: readonly string[],
  timeoutMs = 180_000,
): Promise<DeliveryCheck> {
  const missing = () => {
    const counts = delivered();
    return owed.filter((address) => !counts.has(address.toLowerCase()));
  };
  await waitFor(() => missing().length === 0, {
    timeoutMs,
    intervalMs: 500,
    what: 'every acknowledged sign-up to get its mail',
  }).catch(() => undefined);
  const counts = delivered();
  const lost = missing();
  return {
    acknowledged: owed.length,
    delivered: owed.length - lost.length,
    lost,
    duplicated: owed.filter((address) => (counts.get(address.toLowerCase()) ?? 0) > 1),
  };
}

/**
 * What a crashed master may lose by design: writes it acknowledged but had not yet sent to its
 * replica (replication is asynchronous). Everything acknowledged more than this before the crash
 * must survive it; what falls within it is reported, not required.
 */
export const REPLICATION_WINDOW_MS = 1000;

/** Whether something acknowledged at `at` falls within the replication window of a crash at `crashAt`. */
export function withinReplicationWindow(at: number, crashAt: number): boolean {
  return at >= crashAt - REPLICATION_WINDOW_MS && at <= crashAt + REPLICATION_WINDOW_MS;
}

export interface CrashDelivery extends DeliveryCheck {
  /** Acknowledged within the replication window of the crash, and of those, not delivered. */
  atRisk: number;
  atRiskLost: number;
}

/**
 * Waits for the mail of every sign-up acknowledged outside the replication window of a crash at
 * `crashAt` (all must arrive), then counts those within it apart (they may be lost).
 */
export async function deliveryAcrossCrash(
  mailDir: string,
  acknowledged: ReadonlyArray<{ email: string; at: number }>,
  crashAt: number,
): Promise<CrashDelivery> {
  const within = ({ at }: { at: number }) => withinReplicationWindow(at, crashAt);
  const check = await waitForDelivery(
    () => mailPerRecipient(mailDir),
    acknowledged.filter((entry) => !within(entry)).map(({ email }) => email),
  );
  const delivered = mailPerRecipient(mailDir);
  const atRisk = acknowledged.filter(within);
  return {
    ...check,
    atRisk: atRisk.length,
    atRiskLost: atRisk.filter(({ email }) => !delivered.has(email.toLowerCase())).length,
  };
}

/** One line of a fault test's report: jobs acknowledged, delivered, lost, twice. */
export function describeDelivery(check: DeliveryCheck | CrashDelivery): string {
  const line =
    `jobs (sign-up mails): ${check.acknowledged} acknowledged, ${check.delivered} delivered, ` +
    `${check.lost.length} lost, ${check.duplicated.length} delivered twice`;
  if (!('atRisk' in check)) return line;
  return `${line}; within ${REPLICATION_WINDOW_MS} ms of the crash: ${check.atRisk} more acknowledged, ${check.atRiskLost} of them lost`;
}
