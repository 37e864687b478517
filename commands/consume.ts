import { Command } from "@commander-js/extra-typings";

/** `mlids consume`: show attack notifications from an SQS queue. */
export function consumeCommand(): Command {
  return new Command("consume").description("show attack notifications from an SQS queue");
}
