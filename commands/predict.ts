import { Command } from "@commander-js/extra-typings";

/** `mlids predict`: send flows to the ML-IDS API and score its predictions. */
export function predictCommand(): Command {
  return new Command("predict").description(
    "send flows to the ML-IDS API and score its predictions",
  );
}
