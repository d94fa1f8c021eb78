// Public API of @rnh/jobs. Every export is listed here on purpose.
export { emailQueue } from './email-queue.js';
export { maintenanceQueue } from './maintenance-queue.js';
export { networkQueue, REFERRAL_EVENTS } from './network-queue.js';
export { keyspaces } from './keyspaces.js';
export { liveEvents } from './live-events.js';
export type { LiveEvents } from './live-events.js';
export type { EmailJobs, MaintenanceJobs, NetworkJobs } from './types.js';
