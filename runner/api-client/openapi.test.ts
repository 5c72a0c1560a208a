// The CLI's client types are generated from the API's document: they must match today's API.
import { describe, expect, it } from "vitest";
import { clientTypesAreCurrent } from "../../scripts/openapi-document.js";

describe("runner/api-client/openapi.ts", () => {
  it("is what openapi-typescript makes of the API's current OpenAPI document (npm run gen:api-client)", async () => {
    const { current } = await clientTypesAreCurrent();
    expect(current).toBe(true);
  });
});
