/**
 * The generated TypeScript client against a real `global-chat serve` (tests/client/test_typescript_client.py
 * starts it, makes the credentials and runs this compiled): every operation with an API key and with the
 * web UI's login cookie, and the 401, 403, 404 and 429 as typed errors. Exits non-zero on the first failure.
 */
import assert from "node:assert/strict";

import {
  createGlobalChatClient,
  type ErrorCode,
  type ErrorResponse,
  type GlobalChatClient,
  type ProblemDetails,
  type WithUrlsSession,
} from "../../generated/typescript/index.js";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = setting("GLOBAL_CHAT_URL");
const apiKey = setting("GLOBAL_CHAT_KEY");
const token = setting("GLOBAL_CHAT_TOKEN");
const organizationId = setting("GLOBAL_CHAT_ORG");
const otherOrganizationId = setting("GLOBAL_CHAT_OTHER_ORG");
const uiOrigin = setting("GLOBAL_CHAT_UI_ORIGIN");
const busyKeys = setting("GLOBAL_CHAT_BUSY_KEYS").split(",");
const checked: string[] = [];

/** A failed call: its status and the typed `code` of its ErrorResponse body. The contract declares both
 * error media types (the ErrorResponse and, for a client that asks for it, ProblemDetails): this client
 * does not ask, so it must get the ErrorResponse. */
function expectError(
  result: { error?: ErrorResponse | ProblemDetails; response: Response },
  status: number,
  code: ErrorCode,
): ErrorResponse {
  assert.equal(result.response.status, status);
  assert.equal(result.response.headers.get("content-type"), "application/json");
  const body = result.error;
  assert.ok(body && "error" in body, `expected an ErrorResponse body with the ${status}`);
  assert.equal(body.code, code);
  assert.equal(typeof body.error, "string");
  checked.push(`${status} ${code}`);
  return body;
}

/** Every operation of the contract through `client`, starting from the caller's global chat session. */
async function everyOperation(client: GlobalChatClient, label: string): Promise<WithUrlsSession> {
  const created = await client.POST("/v1/sessions/chat", { body: { locale: "uk-UA" } });
  assert.equal(created.response.status, 200, JSON.stringify(created.error));
  const session = created.data!;
  assert.match(session.id, /^session_[0-9a-f]{32}$/);
  assert.equal(session.tags?.[0], "global-chat");
  const path = { params: { path: { session_id: session.id } } };

  const read = await client.GET("/v1/sessions/{session_id}", path);
  assert.equal(read.data?.id, session.id);

  const updated = await client.PATCH("/v1/sessions/{session_id}", { ...path, body: { title: `By ${label}` } });
  assert.equal(updated.data?.title, `By ${label}`);

  assert.equal((await client.PUT("/v1/sessions/{session_id}/pin", path)).response.status, 204);
  assert.equal((await client.GET("/v1/sessions/{session_id}", path)).data?.is_pinned, true);
  assert.equal((await client.DELETE("/v1/sessions/{session_id}/pin", path)).response.status, 204);
  assert.equal((await client.GET("/v1/sessions/{session_id}", path)).data?.is_pinned, false);

  assert.equal((await client.DELETE("/v1/sessions/{session_id}", path)).response.status, 204);
  expectError(await client.GET("/v1/sessions/{session_id}", path), 404, "not_found");
  const again = await client.POST("/v1/sessions/chat", {});
  assert.equal(again.response.status, 200);
  assert.notEqual(again.data!.id, session.id);
  checked.push(`every operation with ${label}`);
  return again.data!;
}

// 429 first, in one burst: the organization's creation budget is counted per minute.
const burst = await Promise.all(
  busyKeys.map((key) => createGlobalChatClient({ baseUrl, apiKey: key }).POST("/v1/sessions/chat", {})),
);
const statuses = burst.map((result) => result.response.status).sort();
assert.deepEqual(statuses, [...Array(busyKeys.length - 1).fill(200), 429]);
const refused = burst.find((result) => result.response.status === 429)!;
const limited = expectError(refused, 429, "rate_limited");
assert.ok((limited.retry_after_seconds ?? 0) >= 1);
assert.equal(refused.response.headers.get("Retry-After"), String(limited.retry_after_seconds));
assert.equal(limited.allowed_actions?.[0]?.rel, "retry-later");

const byKey = createGlobalChatClient({ baseUrl, apiKey, organizationId });
const afterKey = await everyOperation(byKey, "API key");

// The web UI's way: no Authorization header, the JWT in the access_token cookie; a browser adds the
// Cookie and Origin headers itself (credentials: "include"), Node's fetch needs them given.
const byCookie = createGlobalChatClient({
  baseUrl,
  headers: { Cookie: `access_token=${token}; everruns_org=${organizationId}`, Origin: uiOrigin },
});
const sameSession = await byCookie.POST("/v1/sessions/chat", { body: {} });
assert.equal(sameSession.data?.id, afterKey.id, "the cookie's JWT is the API key's user: the same session");
await everyOperation(byCookie, "the login cookie");

expectError(await createGlobalChatClient({ baseUrl }).POST("/v1/sessions/chat", {}), 401, "unauthorized");
expectError(
  await createGlobalChatClient({ baseUrl, token: `${token}x` }).GET("/v1/sessions/{session_id}", {
    params: { path: { session_id: afterKey.id } },
  }),
  401,
  "unauthorized",
);
expectError(
  await byKey.GET("/v1/sessions/{session_id}", { params: { path: { session_id: `session_${"0".repeat(32)}` } } }),
  404,
  "not_found",
);
const mismatch = expectError(
  await createGlobalChatClient({ baseUrl, apiKey, organizationId: otherOrganizationId }).POST("/v1/sessions/chat", {}),
  403,
  "organization_mismatch",
);
assert.ok(mismatch.error.includes(otherOrganizationId));
expectError(
  await createGlobalChatClient({
    baseUrl,
    headers: { Cookie: `access_token=${token}`, Origin: "https://evil.example" },
  }).POST("/v1/sessions/chat", {}),
  403,
  "forbidden",
);
expectError(
  await byKey.POST("/v1/sessions/chat", { body: { locale: "not a locale" } }),
  400,
  "invalid_request",
);

console.log(JSON.stringify({ ok: true, checked }));
