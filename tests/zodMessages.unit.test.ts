// zod's messages as the API answers them: French whose words agree (« chaîne de caractères
// attendue »), with their counts in the plural they take.
import { z } from 'zod';
import { parseInput } from '../src/commands/schemas';
import { CommandError } from '../src/commands/errors';

const messageOf = (schema: z.ZodType, input: unknown): string => {
  try {
    parseInput(schema, input);
  } catch (err) {
    if (err instanceof CommandError) return err.message;
    throw err;
  }
  throw new Error('accepted');
};

test('a wrong type says what was expected and what came, each word agreeing with its noun', () => {
  const schema = z.object({ nom: z.string(), age: z.number(), liste: z.array(z.string()) });
  expect(messageOf(schema, { nom: 12, age: 1, liste: [] })).toBe('nom : Entrée invalide : chaîne de caractères attendue, nombre reçu.');
  expect(messageOf(schema, { nom: 'a', age: 'x', liste: [] })).toBe('age : Entrée invalide : nombre attendu, chaîne de caractères reçue.');
  expect(messageOf(schema, { nom: 'a', age: 1, liste: {} })).toBe('liste : Entrée invalide : liste attendue (tableau JSON), objet reçu.');
  expect(messageOf(schema, { age: 1, liste: [] })).toBe('nom : Valeur manquante : chaîne de caractères attendue.');
});

test('sizes, formats and unknown keys are whole French sentences, in the singular or the plural', () => {
  expect(messageOf(z.object({ a: z.string().max(1) }), { a: 'ab' })).toBe('a : Trop long : 1 caractère au plus.');
  expect(messageOf(z.object({ a: z.string().max(3) }), { a: 'abcd' })).toBe('a : Trop long : 3 caractères au plus.');
  expect(messageOf(z.object({ a: z.string().min(1) }), { a: '' })).toBe('a : Ce champ ne peut pas être vide.');
  expect(messageOf(z.object({ url: z.url() }), { url: 'pas une adresse' })).toBe('url : Adresse web (URL) invalide : elle commence par http:// ou https://.');
  expect(messageOf(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toBe('body : Clés inconnues : b, c.');
  expect(messageOf(z.object({ s: z.enum(['A', 'B']) }), { s: 'C' })).toBe('s : Valeur invalide : une valeur parmi « A », « B » est attendue.');
});
