import type { DoctorCheck } from '../types.js';

export const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string): DoctorCheck => ({ name, status: 'warn', detail });
export const fail = (name: string, detail: string): DoctorCheck => ({ name, status: 'fail', detail });

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `6.2.14` >= [6, 2]? Unknown versions pass: the doctor should not cry wolf. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  if (a === undefined || Number.isNaN(a)) return true;
  return a > major || (a === major && (b ?? 0) >= minor);
}
