import type { emailQueue } from './email-queue.js';
import type { maintenanceQueue } from './maintenance-queue.js';
import type { networkQueue } from './network-queue.js';

/** Job definitions of each queue, for typing producers and workers: `QueueProducer<EmailJobs>`. */
export type EmailJobs = (typeof emailQueue)['jobs'];
export type NetworkJobs = (typeof networkQueue)['jobs'];
export type MaintenanceJobs = (typeof maintenanceQueue)['jobs'];
