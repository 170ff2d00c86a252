// `npm start`: a local gateway on 127.0.0.1:9080 that runs the real build/aws-lambda.wasm in the project's
// proxy-wasm host emulator and routes /aws and /aws/* through it (as the APISIX docs' examples do), calling
// a bundled demo function, or any plugin config given with --config (`npm start -- --help`).
//
//   npm start                                   # then: curl -i 'localhost:9080/aws?name=APISIX'
//   npm start -- --config examples/invoke/plugin-v2.json --trace
//   npm start -- --host envoy --port 8080       # drive the filter the way Envoy does
//
// Exit 2: bad options, files or port (checked before building); exit 1: the config was refused.
import { HELP, parseOptions, StartError } from "./options.ts";
import { RefusedError, startGateway } from "./gateway.ts";

try {
  // npm runs scripts in the project root; INIT_CWD is where the user typed npm start.
  const options = parseOptions(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  if (options.help) {
    console.log(HELP);
  } else {
    const gateway = await startGateway(options, { out: (line) => console.log(line) });
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void gateway.close().then(() => process.exit(0)));
  }
} catch (error) {
  if (error instanceof StartError) {
    console.error(`npm start: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof RefusedError) {
    console.error(`npm start: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
