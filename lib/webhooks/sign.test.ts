import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signingSecrets, webhookHeaders } from "./sign";

describe("Standard Webhooks signatures", () => {
  it("match the specification's example (secret, id, timestamp and body from the spec's test vector)", () => {
    const headers = webhookHeaders(
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      new Date(1614265330_000),
      '{"test": 2432232314}',
    );
    expect(headers).toMatchObject({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("carry one signature per secret during a rotation, each verifying alone", () => {
    const [oldSecret, newSecret] = [newSigningSecret(), newSigningSecret()];
    const now = new Date();
    const headers = webhookHeaders([newSecret, oldSecret], "msg_1", now, '{"a":1}');
    for (const secret of [oldSecret, newSecret])
      expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
    expect(() => new Webhook(newSigningSecret()).verify('{"a":1}', headers)).toThrow();
  });

  it("stop using the previous secret when its 24 hours are over", () => {
    const endpoint = { secret: "whsec_new", previousSecret: "whsec_old", previousSecretExpiresAt: new Date(2_000) };
    expect(signingSecrets(endpoint, new Date(1_999))).toEqual(["whsec_new", "whsec_old"]);
    expect(signingSecrets(endpoint, new Date(2_000))).toEqual(["whsec_new"]);
  });
});
