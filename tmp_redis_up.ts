import { startRedis } from "./tests/_redis.ts";
const r = await startRedis();
console.log(r.url);
await new Promise(() => {});
