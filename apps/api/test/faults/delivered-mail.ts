// What the worker's file mailer delivered: messages per recipient, read from its .eml files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@rnh/test-utils';

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

/**
 * Waits (up to `timeoutMs`) until every address in `owed` got its mail, then says what arrived.
 * Resolves either way: the test asserts on `lost`, and prints the whole check.
 */
export async function waitForDelivery(
  mailDir: string,
  owed: readonly string[],
  timeoutMs = 180_000,
): Promise<DeliveryCheck> {
  const missing = () => {
    const counts = mailPerRecipient(mailDir);
    return owed.filter((address) => !counts.has(address.toLowerCase()));
  };
  await waitFor(() => missing().length === 0, {
    timeoutMs,
    intervalMs: 500,
    what: 'every acknowledged sign-up to get its mail',
  }).catch(() => undefined);
  const counts = mailPerRecipient(mailDir);
  const lost = missing();
  return {
    acknowledged: owed.length,
    delivered: owed.length - lost.length,
    lost,
    duplicated: owed.filter((address) => (counts.get(address.toLowerCase()) ?? 0) > 1),
  };
}
