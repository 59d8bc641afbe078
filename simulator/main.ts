/**
 * `npm run simulator`: the WeChat Pay simulator as its own process. Configuration is in docs/simulator.md.
 * Started by the console's start script as a child process, it reports readiness over IPC and exits when its
 * parent goes away, so a crashed console never leaves it holding the port.
 */
import { readConfig } from "./config";
import { createSimulator } from "./server";

const config = readConfig(process.env);
const simulator = createSimulator(config.options);
const http = await simulator.listen(config.port);
const https = config.options.tls ? await simulator.listenTls(config.tlsPort) : undefined;

const mutualTls = https ? ` and ${https.url} (TLS mode: APIv2 with client certificates)` : "";
console.log(
  `WeChat Pay simulator on ${http.url}${mutualTls}; state in ${config.options.stateFile ?? "memory"}; overview at ${http.url}/_sim/`,
);
process.send?.({ type: "ready", port: http.port, tlsPort: https?.port });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await simulator.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());
