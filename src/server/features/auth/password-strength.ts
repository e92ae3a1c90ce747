// New passwords must resist guessing: zxcvbn-ts estimates how many guesses one takes, with dictionaries
// of common passwords, words and names, and the user's own name, username and email as extra words.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { AppError } from '../../http/errors.js';

/** zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;
// Longer passwords are judged on their first characters: the matchers' cost grows fast with length.
const ANALYSED_LENGTH = 64;

let checker: ZxcvbnFactory | undefined;
const zxcvbn = (): ZxcvbnFactory =>
  (checker ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    maxLength: ANALYSED_LENGTH,
  }));

/** Why the password is refused, or null when it is strong enough. */
export function passwordWeakness(password: string, userInputs: readonly string[] = []): string | null {
  const words = userInputs.flatMap((input) => [input, ...input.split(/[^A-Za-z0-9]+/)]).filter((word) => word.length >= 3);
  const result = zxcvbn().check(password.slice(0, ANALYSED_LENGTH), words);
  const [only] = result.sequence;
  const wholeIsKnown = result.sequence.length === 1 && only?.pattern === 'dictionary';
  if (result.score >= MIN_SCORE && !wholeIsKnown) return null;
  const reason = result.feedback.warning ?? (wholeIsKnown ? 'This is a known word or common password.' : 'This password is easy to guess.');
  const hint = result.feedback.suggestions[0] ?? 'Use a few uncommon words together.';
  return `is too easy to guess: ${reason} ${hint}`;
}

/** Throws WEAK_PASSWORD with `details[field]` saying why. */
export function assertStrongPassword(password: string, userInputs: readonly string[], field: string): void {
  const weakness = passwordWeakness(password, userInputs);
  if (weakness) throw new AppError('WEAK_PASSWORD', `The password ${weakness}`, { [field]: weakness });
}
