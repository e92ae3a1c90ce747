// New passwords must resist guessing: zxcvbn-ts estimates how many guesses one takes, with dictionaries
// of common passwords, words and names, and the user's own name, username and email as extra words.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { AppError } from '../../http/errors.js';

/** zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;
// Longer passwords are judged on their first characters: the matchers' cost grows fast with length.
const ANALYSED_LENGTH = 64;

// The dictionaries are loaded with the first password checked rather than at start-up.
let checker: Promise<ZxcvbnFactory> | undefined;
const zxcvbn = (): Promise<ZxcvbnFactory> =>
  (checker ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([{ ZxcvbnFactory }, common, english]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...english.dictionary },
        graphs: common.adjacencyGraphs,
        translations: english.translations,
        maxLength: ANALYSED_LENGTH,
      }),
  ));

/** Why the password is refused, or null when it is strong enough. */
export async function passwordWeakness(password: string, userInputs: readonly string[] = []): Promise<string | null> {
  const words = userInputs.flatMap((input) => [input, ...input.split(/[^A-Za-z0-9]+/)]).filter((word) => word.length >= 3);
  const result = (await zxcvbn()).check(password.slice(0, ANALYSED_LENGTH), words);
  const [only] = result.sequence;
  const wholeIsKnown = result.sequence.length === 1 && only?.pattern === 'dictionary';
  if (result.score >= MIN_SCORE && !wholeIsKnown) return null;
  const reason = result.feedback.warning ?? (wholeIsKnown ? 'This is a known word or common password.' : 'This password is easy to guess.');
  const hint = result.feedback.suggestions[0] ?? 'Use a few uncommon words together.';
  return `is too easy to guess: ${reason} ${hint}`;
}

/** Throws WEAK_PASSWORD with `details[field]` saying why. */
export async function assertStrongPassword(password: string, userInputs: readonly string[], field: string): Promise<void> {
  const weakness = await passwordWeakness(password, userInputs);
  if (weakness) throw new AppError('WEAK_PASSWORD', `The password ${weakness}`, { [field]: weakness });
}
