// The compose stack's alertmanager.yml, rendered for a test or another environment: the same
// route tree, grouping and inhibitions, every notifying receiver replaced by one webhook, and
// shorter group timers so that a test sees notifications in seconds instead of minutes.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { alertmanagerConfigFile } from './paths.js';

export interface AlertmanagerRoute {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: AlertmanagerRoute[];
}

export interface AlertmanagerReceiver {
  name: string;
  // email_configs, webhook_configs, ...: a receiver without any drops what it gets.
  [configs: `${string}_configs`]: Array<{ send_resolved?: boolean; [key: string]: unknown }> | undefined;
}

export interface AlertmanagerConfig {
  global?: Record<string, unknown>;
  route: AlertmanagerRoute;
  receivers: AlertmanagerReceiver[];
  inhibit_rules?: Array<{ source_matchers?: string[]; target_matchers?: string[]; equal?: string[] }>;
}

export interface AlertmanagerConfigOptions {
  /** Where every notifying receiver posts (Alertmanager's webhook format). */
  webhookUrl: string;
  /** group_wait of every route that sets one (the root always does), e.g. `1s`. */
  groupWait?: string;
  /** group_interval of every route that sets one (the root always does), e.g. `5s`. */
  groupInterval?: string;
  /** repeat_interval likewise; default: as committed. */
  repeatInterval?: string;
}

/** The committed deploy/alertmanager/alertmanager.yml, parsed. */
export function composeAlertmanagerConfig(): AlertmanagerConfig {
  return parse(readFileSync(alertmanagerConfigFile, 'utf8')) as AlertmanagerConfig;
}

/**
 * alertmanager.yml with the committed routes, grouping and inhibit_rules, whose notifying
 * receivers (same names, so a notification still says `ops-pager` or `ops-tickets`) all post to
 * `webhookUrl`. A receiver with no configs (`drop`) stays silent. The SMTP settings go: no
 * receiver mails any more.
 */
export function renderAlertmanagerConfig(options: AlertmanagerConfigOptions): string {
  const base = composeAlertmanagerConfig();
  const global = Object.fromEntries(
    Object.entries(base.global ?? {}).filter(([key]) => !key.startsWith('smtp_')),
  );
  const config: AlertmanagerConfig = {
    ...base,
    global,
    route: retime(base.route, options, true),
    receivers: base.receivers.map((receiver) => toWebhook(receiver, options.webhookUrl)),
  };
  return stringify(config);
}

function toWebhook(receiver: AlertmanagerReceiver, url: string): AlertmanagerReceiver {
  const configs = Object.entries(receiver).flatMap(([key, value]) =>
    key.endsWith('_configs') && Array.isArray(value) ? (value as Array<{ send_resolved?: boolean }>) : [],
  );
  if (configs.length === 0) return { name: receiver.name };
  // Resolved notifications are sent if any of the receiver's integrations sent them.
  const sendResolved = configs.some((config) => config.send_resolved === true);
  return { name: receiver.name, webhook_configs: [{ url, send_resolved: sendResolved }] };
}

function retime(
  route: AlertmanagerRoute,
  options: AlertmanagerConfigOptions,
  root: boolean,
): AlertmanagerRoute {
  const timer = (key: 'group_wait' | 'group_interval' | 'repeat_interval', value: string | undefined) =>
    value !== undefined && (root || route[key] !== undefined) ? { [key]: value } : {};
  return {
    ...route,
    ...timer('group_wait', options.groupWait),
    ...timer('group_interval', options.groupInterval),
    ...timer('repeat_interval', options.repeatInterval),
    ...(route.routes ? { routes: route.routes.map((child) => retime(child, options, false)) } : {}),
  };
}
