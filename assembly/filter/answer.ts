// How a request ends, decided by the target or the stream: a reply to relay, an error reply, or — when
// the call may safely be repeated — an error reply to send only if no retry is left.
import { Header } from "../http/header";
import { Failure } from "./failures";

/** Reauthenticate: AWS called the credentials expired; fresh ones are fetched and the call repeated once. */
export enum Verdict { Relay, Fail, RetryOrFail, Reauthenticate }

export class Answer {
  verdict: Verdict = Verdict.Relay;
  /** Relay: the reply's status. Fail: 0 for the failure table's status, else the status to send instead. */
  status: u32 = 200;
  /** Relay: the reply's headers. Fail: extra headers on the error reply (e.g. retry-after). */
  headers: Array<Header> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
  failure: Failure = Failure.BadResponse;
  message: string = "";
}

/** A reply to relay as it is. */
export function relayAnswer(status: u32, headers: Array<Header>, body: ArrayBuffer): Answer {
  const answer = new Answer();
  answer.status = status;
  answer.headers = headers;
  answer.body = body;
  return answer;
}

/** An error reply of `failure`'s row (logged once, counted); `status` 0 keeps the row's status. */
export function failAnswer(failure: Failure, message: string, headers: Array<Header> = [], status: u32 = 0): Answer {
  const answer = new Answer();
  answer.verdict = Verdict.Fail;
  answer.failure = failure;
  answer.status = status;
  answer.message = message;
  answer.headers = headers;
  return answer;
}

/** An error reply to send only when no retry is left or allowed. */
export function retryableAnswer(failure: Failure, message: string, headers: Array<Header> = []): Answer {
  const answer = failAnswer(failure, message, headers);
  answer.verdict = Verdict.RetryOrFail;
  return answer;
}

/** The call is repeated once with freshly fetched credentials. */
export function reauthenticateAnswer(): Answer {
  const answer = new Answer();
  answer.verdict = Verdict.Reauthenticate;
  return answer;
}
