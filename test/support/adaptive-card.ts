// Checks an Adaptive Card twice: against the Adaptive Card JSON schema (test/fixtures/
// adaptive-card.schema.json, vendored from the npm package adaptivecards-designer 2.4.4,
// lib/adaptive-card-schema.js, MIT), and with Microsoft's own parser (npm adaptivecards 3.0.6, the
// renderer's object model, which knows every element and action up to 1.6): an unknown element,
// action or property value is a parse or validation event, and the test fails on any.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';

// The file names itself with draft-04's `id`; ajv 8 reads `$id`.
const { id, ...schema } = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'adaptive-card.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft6);
const validateSchema = ajv.compile({ ...schema, $id: String(id) });

interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
}
// The UMD build: the package's ES build imports paths Node cannot resolve.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** The problems found (none expected): schema errors, then the parser's events. */
export function adaptiveCardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (!validateSchema(card))
    problems.push(...(validateSchema.errors ?? []).map((e) => `schema ${e.instancePath}: ${e.message}`));
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of parsed.validateProperties().validationEvents) problems.push(`validate: ${event.message}`);
  const version = (card as { version?: string }).version ?? '0';
  const [major, minor] = version.split('.').map(Number);
  if (major < 1 || (major === 1 && minor < 4)) problems.push(`version ${version} is older than 1.4`);
  return problems;
}
