// What the stream does with a callout's response: relay a reply, fail with an error reply, or — when
// the call may safely be repeated — try again before failing.
import { LogLevel } from "../abi/types";
import { Header } from "../http/header";
import { Failure } from "./metrics";

export enum Verdict { Relay, Fail, RetryOrFail }

export class Answer {
  verdict: Verdict = Verdict.Relay;
  status: u32 = 200;
  /** Relay: the reply's headers. Fail: extra headers on the error reply (e.g. retry-after). */
  headers: Array<Header> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
  failure: Failure = Failure.BadResponse;
  level: LogLevel = LogLevel.Error;
  message: string = "";
  details: string = "";
}

/** A reply to relay as it is. */
export function relayAnswer(status: u32, headers: Array<Header>, body: ArrayBuffer): Answer {
  const answer = new Answer();
  answer.status = status;
  answer.headers = headers;
  answer.body = body;
  return answer;
}

/** An error reply (logged once at `level`, counted as `failure`). */
export function failAnswer(failure: Failure, status: u32, level: LogLevel, message: string, details: string,
  headers: Array<Header> = []): Answer {
  const answer = new Answer();
  answer.verdict = Verdict.Fail;
  answer.failure = failure;
  answer.status = status;
  answer.level = level;
  answer.message = message;
  answer.details = details;
  answer.headers = headers;
  return answer;
}

/** An error reply to send only when no retry is left or allowed. */
export function retryableAnswer(failure: Failure, status: u32, message: string, details: string,
  headers: Array<Header> = []): Answer {
  const answer = failAnswer(failure, status, LogLevel.Error, message, details, headers);
  answer.verdict = Verdict.RetryOrFail;
  return answer;
}
