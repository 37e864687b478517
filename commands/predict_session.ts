/**
 * The interactive `mlids predict` session, as the original client had it: pick a category (or
 * random), a count and a send delay; rounds until `q` or Ctrl-C.
 * @module
 */

import process from "node:process";
import { seedOf } from "../lib/dataset/mod.ts";
import { CancelledError, MlidsError, UsageError } from "../lib/errors.ts";
import { formatCount } from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { type PredictPrompts, type RoundChoice, runRound, type Session } from "./_predict_round.ts";
import { describeError } from "./_report.ts";
import { promptEndedBySigint } from "./_interrupt.ts";

/** The prompts of @inquirer/prompts, drawn on stderr so stdout stays data. */
export function inquirerPrompts(): PredictPrompts {
  const output = process.stderr;
  // Loaded on the first prompt: scripted runs never pay for it.
  const prompts = () => import("@inquirer/prompts");
  return {
    select: async (config) => {
      const { select } = await prompts();
      return promptEndedBySigint((signal) => select(config, { output, signal }));
    },
    input: async (config) => {
      const { input } = await prompts();
      return promptEndedBySigint((signal) => input(config, { output, signal }));
    },
  };
}

/** Thrown by a prompt answer of `q`; ends the session like Ctrl-C. */
class QuitSession extends Error {}

function isPromptExit(error: unknown): boolean {
  return error instanceof QuitSession ||
    (error instanceof Error &&
      (error.name === "ExitPromptError" || error.name === "AbortPromptError"));
}

function validateCount(value: string): true | string {
  const text = value.trim().toLowerCase();
  if (text === "q" || text === "all") return true;
  if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) return true;
  return "Enter a whole number of 1 or more, 'all', or q to quit.";
}

function validateDelay(value: string): true | string {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "q") return true;
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return true;
  return "Enter a delay in whole milliseconds (0 or more), leave it empty for none, or q to quit.";
}

/** Asks for one round's choice; null when the user quits. */
async function askRound(session: Session): Promise<RoundChoice | null> {
  const { prompts } = session.io;
  const categories = session.labels?.categories ?? [];
  const choices = [
    ...categories.map((category, i) => ({
      name: `${i + 1}) ${escapeControl(category.name)} (${formatCount(category.rows.length)})`,
      value: `c${i}`,
    })),
    { name: "r) random", value: "r" },
    { name: "q) quit", value: "q" },
  ];
  const picked = await prompts.select({
    message: categories.length > 0
      ? "Network traffic category (by frequency), random, or quit"
      : "The dataset has no labels: send random flows, or quit",
    choices,
    pageSize: Math.min(choices.length, 20),
  });
  if (picked === "q") return null;
  const category = picked === "r" ? undefined : categories[Number(picked.slice(1))]?.name;
  if (picked !== "r" && category === undefined) {
    throw new Error(`the prompt answered '${picked}', which is not a choice`);
  }
  const countText = (await prompts.input({
    message: "How many flows? (a whole number of 1 or more, 'all', q to quit)",
    default: session.settings.count === undefined ? undefined : String(session.settings.count),
    validate: validateCount,
  })).trim().toLowerCase();
  if (countText === "q") throw new QuitSession();
  if (validateCount(countText) !== true) throw new UsageError(`'${countText}' is not a count`);
  const delayText = (await prompts.input({
    message: "Delay between flows in ms (empty: none, all flows in one go; q to quit)",
    default: session.settings.delayMs === undefined ? undefined : String(session.settings.delayMs),
    validate: validateDelay,
  })).trim().toLowerCase();
  if (delayText === "q") throw new QuitSession();
  if (validateDelay(delayText) !== true) throw new UsageError(`'${delayText}' is not a delay`);
  return {
    category,
    count: countText === "all" ? "all" : Number(countText),
    delayMs: delayText === "" ? undefined : Number(delayText),
  };
}

/**
 * The interactive session: rounds until the user quits (q, or Ctrl-C at a prompt); a failed round
 * is reported and the session goes on, and so does a round cancelled by Ctrl-C while sending.
 */
export async function interactiveSession(session: Session): Promise<void> {
  const baseSeed = session.settings.seed === undefined ? undefined : seedOf(session.settings.seed);
  // Bounded by the user: each round waits for an answer, and quitting ends it.
  for (let round = 0;; round++) {
    let choice: RoundChoice | null;
    try {
      choice = await askRound(session);
    } catch (error) {
      if (isPromptExit(error)) return;
      throw error;
    }
    if (choice === null) return;
    // A fixed --seed makes the whole session repeatable, not every round the same.
    const seed = baseSeed === undefined ? seedOf(undefined) : (baseSeed + round) >>> 0;
    choice.seed = seed;
    session.io.stderr.write(
      `drawing flows with seed ${seed} (pass --seed ${seed} with the same choice to repeat them)\n`,
    );
    try {
      await runRound(session, choice);
    } catch (error) {
      if (!(error instanceof MlidsError)) throw error;
      // Ctrl-C while sending ends the round, not the session: back to the menu.
      const what = error instanceof CancelledError ? "round cancelled" : "error";
      session.io.stderr.write(`${what}: ${describeError(error).message}\n`);
    }
  }
}
