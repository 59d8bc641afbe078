import type outcomes from "../messages/en/outcomes.json";

/** Every dotted path to a text in a catalogue: `outcomes.bulk.csv.NOT_TEXT`, … */
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/**
 * The key of a text that lib/ hands to the operator. lib/ speaks no language: it names the text (a typo is a type
 * error, since the keys come from the English catalogue) and the pages or `translate` put it in the reader's.
 */
export type MessageKey = Leaves<{ outcomes: typeof outcomes }>;

/** What the text says of this case: the refund number, an amount already formatted, a count… */
export type MessageValues = Record<string, string | number>;

/** A text for the operator, as data: it travels through actions, JSON and the database, and is put in words last. */
export interface Message {
  key: MessageKey;
  values?: MessageValues;
}

export function msg(key: MessageKey, values?: MessageValues): Message {
  return values ? { key, values } : { key };
}

/**
 * The values as the catalogue's placeholders take them: numbers as their plain digits, as the texts always showed
 * them (ICU would group them, 5000 → "5,000").
 */
export function messageValues(message: Message): Record<string, string> | undefined {
  if (!message.values) return undefined;
  return Object.fromEntries(Object.entries(message.values).map(([name, value]) => [name, String(value)]));
}
