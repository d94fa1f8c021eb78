import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

export function packageConfig(overrides?: InlineConfig): UserConfig;
