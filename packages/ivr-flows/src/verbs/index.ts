import type { FlowNode } from "../schema.js";
import { CallbackOfferVerb } from "./callback-offer.js";
import { CollectVerb } from "./collect.js";
import { ConditionVerb } from "./condition.js";
import { EnqueueVerb } from "./enqueue.js";
import { HangupVerb } from "./hangup.js";
import { HttpVerb } from "./http.js";
import { MenuVerb } from "./menu.js";
import { PlayVerb } from "./play.js";
import { SayDigitsVerb, SayNumberVerb } from "./say.js";
import { SetVerb } from "./set.js";
import { SurveyVerb } from "./survey.js";
import type { Verb } from "./task.js";
import { TransferVerb } from "./transfer.js";
import { VoicemailVerb } from "./voicemail.js";

/** One verb object per node visit; the switch is exhaustive over the schema's verbs. */
export function createVerb(node: FlowNode): Verb {
  switch (node.verb) {
    case "play":
      return new PlayVerb(node);
    case "say-number":
      return new SayNumberVerb(node);
    case "say-digits":
      return new SayDigitsVerb(node);
    case "menu":
      return new MenuVerb(node);
    case "collect":
      return new CollectVerb(node);
    case "condition":
      return new ConditionVerb(node);
    case "set":
      return new SetVerb(node);
    case "http":
      return new HttpVerb(node);
    case "enqueue":
      return new EnqueueVerb(node);
    case "transfer":
      return new TransferVerb(node);
    case "voicemail":
      return new VoicemailVerb(node);
    case "callback-offer":
      return new CallbackOfferVerb(node);
    case "survey":
      return new SurveyVerb(node);
    case "hangup":
      return new HangupVerb(node);
  }
}
