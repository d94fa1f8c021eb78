// API_TRUST_PROXY in the forms Express's `trust proxy` takes, validated when the api starts
// (Express would otherwise throw on a bad address at the first request, or trust nothing).
//
// - `false` / `0` (default): no proxy; the client address is the socket's.
// - a hop count `n`: the n proxies nearest the api are trusted, so the client address is the
//   X-Forwarded-For entry the outermost of them appended; entries further left were written
//   by the client and are ignored.
// - a comma-separated list of proxy addresses, CIDR subnets and the names `loopback`,
//   `linklocal`, `uniquelocal`: X-Forwarded-For is read right to left up to the first
//   address not in the list.
// - `true`: every entry is trusted, so the leftmost one, which the client chose, becomes its
//   address. Refused in production (see config.ts).
import express from 'express';
import { z } from 'zod';

export type TrustProxy = boolean | number | string[];

export const trustProxySetting = (name: string) =>
  z
    .string()
    .default('false')
    .transform((raw, ctx): TrustProxy => {
      const value = raw.trim();
      if (value === '' || value === 'false' || value === '0') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      const entries = value.split(',').map((entry) => entry.trim());
      const bad = entries.filter((entry) => !isProxyAddress(entry));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${name} must be false, true, a hop count, or a comma-separated list of proxy addresses, ` +
            `CIDR subnets, loopback, linklocal or uniquelocal (not ${bad.map((entry) => `"${entry}"`).join(', ')})`,
        });
        return z.NEVER;
      }
      return entries;
    });

/**
 * Whether Express accepts the entry (an address, `address/prefix-length`, `IPv4/netmask`, or a
 * named subnet): setting `trust proxy` compiles the list at once, so Express itself judges each
 * entry exactly as it will use it.
 */
function isProxyAddress(entry: string): boolean {
  try {
    express().set('trust proxy', [entry]);
    return entry !== '';
  } catch {
    return false;
  }
}
