// The hosts the emulator knows, by profile name.
import type { Profile } from "../types.ts";
import { APISIX_LINKING } from "./apisix/linking.ts";
import { ApisixBehaviour } from "./apisix/index.ts";
import type { BehaviourDeps, HostBehaviour } from "./behaviour.ts";
import { ENVOY_LINKING } from "./envoy/linking.ts";
import { EnvoyBehaviour } from "./envoy/index.ts";
import type { Linking } from "./linking.ts";

/** What is known of a host before its VM exists, and how to make its behaviour for one VM. */
export interface HostEntry {
  linking: Linking;
  /** plugin_root_id when HostOptions.pluginRootId is not given: Envoy's root_id, APISIX's plugin name. */
  pluginRootId: string;
  create(deps: BehaviourDeps): HostBehaviour;
}

const HOSTS: Record<Profile, HostEntry> = {
  envoy: { linking: ENVOY_LINKING, pluginRootId: "aws_lambda", create: (deps) => new EnvoyBehaviour(deps) },
  apisix: { linking: APISIX_LINKING, pluginRootId: "aws-lambda-wasm", create: (deps) => new ApisixBehaviour(deps) },
};

/** The host called `profile`; throws for an unknown one. */
export function hostEntry(profile: string): HostEntry {
  if (!Object.hasOwn(HOSTS, profile)) throw new Error(`Host.load: unknown profile "${profile}"`);
  return HOSTS[profile as Profile];
}
