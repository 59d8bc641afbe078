/**
 * The simulator as one object: state, refund desk, notifier and the HTTP surfaces (APIv3, APIv2, control API),
 * listening on plain HTTP and, in TLS mode, also on HTTPS with client certificates for APIv2.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { systemScheduler, type Scheduler } from "./clock";
import { RefundDesk } from "./domain/desk";
import type { ApiContext } from "./http/context";
import { BillDownloads } from "./http/bill-downloads";
import { handleControl, type ControlContext } from "./http/control";
import { FaultBox } from "./http/faults";
import { BodyTooLarge, json, readRequest, type ApiRequest, type Handled } from "./http/io";
import { RateLimiter } from "./http/rate-limit";
import { RequestLog } from "./http/request-log";
import { RobotInbox } from "./http/robots";
import { handleV2, isV2 } from "./http/v2";
import { handleV3, isV3 } from "./http/v3";
import { Notifier } from "./notify/notifier";
import { emptyState } from "./state/schema";
import { StateStore } from "./state/store";

export const DEFAULT_SETTLE_MS = 3000;
export const DEFAULT_ORDER_INTERVAL_MS = 60_000;

export interface SimulatorOptions {
  /** Where the state is kept across restarts; undefined keeps it in memory only. */
  stateFile?: string;
  /** Real time unless a test brings its own. */
  scheduler?: Scheduler;
  settleMs?: number;
  orderIntervalMs?: number;
  /** Notification retry intervals are divided by this. */
  timeScale?: number;
  controlToken?: string;
  /** PEM texts; turns on TLS mode (listenTls, client certificates for APIv2 refunds). */
  tls?: { cert: string; key: string; ca: string };
  /** Unexpected failures inside a request or a timer; default: printed to stderr. */
  onError?: (error: unknown) => void;
}

export interface Listening {
  url: string;
  port: number;
}

export interface Simulator {
  /** Plain HTTP on 127.0.0.1; port 0 picks a free one. */
  listen(port: number): Promise<Listening>;
  /** HTTPS on 127.0.0.1 with optional client certificates; needs `tls`. */
  listenTls(port: number): Promise<Listening>;
  close(): Promise<void>;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const onError = options.onError ?? ((error: unknown) => console.error("[simulator]", error));
  const scheduler = options.scheduler ?? systemScheduler(onError);
  const store = new StateStore(options.stateFile);
  const timeScale = options.timeScale ?? 1;
  const notifier = new Notifier(store, scheduler, timeScale);
  const desk = new RefundDesk(
    store,
    scheduler,
    {
      settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
      orderIntervalMs: options.orderIntervalMs ?? DEFAULT_ORDER_INTERVAL_MS,
    },
    notifier,
  );
  const faults = new FaultBox(store);
  const limiter = new RateLimiter();
  const requests = new RequestLog();
  const robots = new RobotInbox();
  const bills = new BillDownloads();
  const api: ApiContext = { store, desk, faults, limiter, scheduler, bills, tlsMode: options.tls !== undefined };
  const control: ControlContext = {
    store,
    desk,
    faults,
    requests,
    robots,
    scheduler,
    timeScale,
    controlToken: options.controlToken,
    reset(keepMerchants) {
      desk.clearTimers();
      notifier.clearTimers();
      faults.releaseHeld();
      limiter.clear();
      requests.clear();
      robots.clear();
      bills.clear();
      const { merchants, sequence } = store.state;
      store.state = { ...emptyState(), merchants: keepMerchants ? merchants : {}, sequence };
      store.commit();
    },
  };
  desk.resume();
  notifier.resume();

  function serveApi(request: ApiRequest, res: ServerResponse, handled: Handled | "reset"): void {
    const base = { at: scheduler.now(), method: request.method, path: request.path, body: request.body };
    if (handled === "reset") {
      requests.add({ ...base, fault: "reset_before" });
      res.socket?.destroy();
      return;
    }
    const { answer, fault, mchid, code } = handled;
    const delivered =
      fault?.kind === "timeout_after_accept" || fault?.kind === "reset_after" ? undefined : answer.status;
    requests.add({ ...base, mchid, status: delivered, code, fault: fault?.kind });
    faults.deliver(res, answer, fault);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: ApiRequest;
    try {
      request = await readRequest(req);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      const answer = json(413, { code: "PARAM_ERROR", message: "请求体过大" });
      res.writeHead(answer.status, { ...answer.headers, Connection: "close" }).end(answer.body);
      return;
    }
    if (request.path === "/_sim" || request.path.startsWith("/_sim/")) {
      const answer = handleControl(control, request);
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } else if (isV3(request.path)) {
      serveApi(request, res, handleV3(api, request));
    } else if (isV2(request.path)) {
      serveApi(request, res, handleV2(api, request));
    } else {
      const answer = json(404, { code: "NOT_FOUND", message: "接口不存在" });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent)
        res
          .writeHead(500, { "Content-Type": "application/json" })
          .end('{"code":"SYSTEM_ERROR","message":"simulator failure"}');
    });
  };
  const servers: Server[] = [];

  async function start(server: Server, scheme: string, port: number): Promise<Listening> {
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // Loopback only: the simulator holds merchants' keys and a control API without users.
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    return { url: `${scheme}://127.0.0.1:${bound}`, port: bound };
  }

  return {
    listen: (port) => start(createHttpServer(listener), "http", port),
    listenTls(port) {
      const { tls } = options;
      if (!tls) return Promise.reject(new Error("listenTls needs the tls option"));
      // Client certificates are requested but not required at the handshake: the APIv2 handler refuses a refund
      // without one the way WeChat does, with an answer, and queries and APIv3 need none.
      const server = createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: false }, listener);
      return start(server, "https", port);
    },
    async close() {
      desk.clearTimers();
      notifier.stop();
      faults.releaseHeld();
      store.flush();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
