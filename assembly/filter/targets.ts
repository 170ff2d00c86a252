// The one place that picks a request's kind of target from its configuration.
import { Config } from "../config/config";
import { InvokeApiTarget } from "./invoke-api-target";
import { Target } from "./target";
import { UrlTarget } from "./url-target";

/** A fresh target for one request under `config`: the Invoke API for a function ARN, else the URL. */
export function targetFor(config: Config): Target {
  if (config.invoke != null) return new InvokeApiTarget(config);
  return new UrlTarget(config);
}
