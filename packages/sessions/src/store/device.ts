import type { SessionData } from 'express-session';

/** Device fields as the app put them in `session.device`, bounded in size. */
export interface DeviceInput {
  userAgent?: string;
  ipPrefix?: string;
  createdAt?: number;
}

export function deviceOf(session: SessionData): DeviceInput {
  const raw = (session as { device?: unknown }).device;
  if (!raw || typeof raw !== 'object') return {};
  const device = raw as Record<string, unknown>;
  const out: DeviceInput = {};
  if (typeof device.userAgent === 'string' && device.userAgent)
    out.userAgent = device.userAgent.slice(0, 512);
  if (typeof device.ipPrefix === 'string' && device.ipPrefix) out.ipPrefix = device.ipPrefix.slice(0, 64);
  if (typeof device.createdAt === 'number' && Number.isFinite(device.createdAt))
    out.createdAt = Math.floor(device.createdAt);
  return out;
}

export function userIdOf(session: SessionData): string | undefined {
  const userId = (session as { userId?: unknown }).userId;
  return typeof userId === 'string' && userId.length > 0 ? userId : undefined;
}
