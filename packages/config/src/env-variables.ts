// What docs/configuration.md and .env.example are generated from: each variable of a config schema
// with its default, read from the schema's own `.default()`, and the meaning its `.describe()` gives.
import { z } from 'zod';

export interface EnvVariable {
  name: string;
  /** The default as a .env file would write it; undefined when there is none. */
  default?: string;
  /** A default that is not one literal value, such as `http://localhost:<API_PORT>`. */
  defaultNote?: string;
  /** One line of meaning. */
  description: string;
  /** What production requires of the variable, if anything. */
  production?: string;
}

/** Metadata a schema field may carry besides `.describe()`: `.meta({ description, defaultNote, production })`. */
interface EnvMeta {
  description?: unknown;
  defaultNote?: unknown;
  production?: unknown;
}

/** The variables of an app's config schema; throws naming a variable that has no description. */
export function envVariables(schema: z.ZodObject): EnvVariable[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const meta = ((field as z.ZodType).meta() ?? {}) as EnvMeta;
    if (typeof meta.description !== 'string' || meta.description.trim() === '')
      throw new Error(`${name} has no description: add .describe('one line of meaning') to its schema`);
    const fallback = defaultOf(field as z.ZodType);
    return {
      name,
      ...(fallback === undefined || fallback === '' ? {} : { default: String(fallback) }),
      ...(typeof meta.defaultNote === 'string' ? { defaultNote: meta.defaultNote } : {}),
      description: meta.description,
      ...(typeof meta.production === 'string' ? { production: meta.production } : {}),
    };
  });
}

/** The value `.default()` supplies, looking through pipes (transforms) and optional wrappers. */
function defaultOf(schema: z.ZodType): unknown {
  if (schema instanceof z.ZodDefault) return schema.def.defaultValue;
  if (schema instanceof z.ZodPipe) return defaultOf(schema.def.in as z.ZodType);
  if (schema instanceof z.ZodOptional) return defaultOf(schema.def.innerType as z.ZodType);
  return undefined;
}
