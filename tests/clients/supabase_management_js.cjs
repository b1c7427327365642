// Drives supabase-management-js (the community TypeScript wrapper of the Management API) through
// project, settings and branch workflows against the emulator, in one Node process; prints one JSON object.
// Environment: SUPABASE_BASE_URL, SUPABASE_TOKEN, SUPABASE_BAD_TOKEN, SUPABASE_ORG.
const { SupabaseManagementAPI } = require("supabase-management-js");

const baseUrl = process.env.SUPABASE_BASE_URL;
const api = new SupabaseManagementAPI({ accessToken: process.env.SUPABASE_TOKEN, baseUrl });
const out = {};

async function status(promise) {
  try {
    return (await promise).status;
  } catch (err) {
    return err.status !== undefined ? err.status : String(err);
  }
}

async function untilHealthy(ref) {
  for (let i = 0; i < 30; i++) {
    const { data } = await api.getProject(ref);
    if (data.status === "ACTIVE_HEALTHY") {
      const health = await api.getServicesHealth(ref, { services: ["auth", "db", "rest"] });
      if (health.data.every((s) => s.status === "ACTIVE_HEALTHY")) return i;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`project ${ref} never became healthy`);
}

(async () => {
  out.orgs = (await api.listAllOrganizations()).data.map((o) => o.slug);
  const created = await api.createAProject({
    name: "js-client",
    organization_slug: process.env.SUPABASE_ORG,
    db_pass: "pw-12345678",
    region: "eu-central-1",
  });
  const ref = created.data.ref;
  out.created = { status: created.status, state: created.data.status };
  out.polls = await untilHealthy(ref);
  out.listed = (await api.listAllProjects()).data.map((p) => p.ref).includes(ref);
  out.renamed = (await api.updateAProject(ref, { name: "js-client-2" })).data.name;
  const keys = (await api.getProjectApiKeys(ref, { reveal: true })).data;
  out.keyTypes = keys.map((k) => k.type).sort();
  out.pooler = (await api.getPoolerConfig(ref)).data[0].pool_mode;
  out.postgres = (await api.updatePostgresConfig(ref, { max_connections: 120 })).data.max_connections;
  out.auth = (await api.updateAuthServiceConfig(ref, { site_url: "https://app.example" })).data.site_url;
  await api.bulkCreateSecrets(ref, [{ name: "STRIPE_KEY", value: "sk_test_1" }]);
  out.secrets = (await api.listAllSecrets(ref)).data.map((s) => s.name);
  out.network = (await api.updateNetworkRestrictions(ref, { dbAllowedCidrs: ["203.0.113.0/24"], dbAllowedCidrsV6: [] })).status;
  out.ssl = (await api.updateSslEnforcementConfig(ref, { requestedConfig: { database: true } })).data.currentConfig.database;

  const branch = await api.createABranch(ref, { branch_name: "pr-7", persistent: false, git_branch: "feature-x" });
  out.branchCreated = { status: branch.status, state: branch.data.status, own: branch.data.project_ref !== ref };
  let seen = [];
  for (let i = 0; i < 20; i++) {
    const { data } = await api.getABranch(ref, "pr-7");
    seen.push(data.status);
    if (data.status === "FUNCTIONS_DEPLOYED") break;
  }
  out.branchStatuses = [...new Set(seen)];
  out.branchListed = (await api.listAllBranches(ref)).data.map((b) => b.name);
  const detail = (await api.getABranchConfig(branch.data.project_ref)).data;
  out.branchDb = { host: detail.db_host.includes(branch.data.project_ref), pass: Boolean(detail.db_pass) };
  out.branchUpdated = (await api.updateABranchConfig(branch.data.project_ref, { persistent: true })).data.persistent;
  out.branchDeleted = (await api.deleteABranch(branch.data.project_ref)).data.message;

  out.unknownProject = await status(api.getProject("abcdefghijklmnopqrst"));
  out.badRegion = await status(
    api.createAProject({ name: "x", organization_slug: process.env.SUPABASE_ORG, db_pass: "pw-1234567", region: "mars-1" }),
  );
  const bad = new SupabaseManagementAPI({ accessToken: process.env.SUPABASE_BAD_TOKEN, baseUrl });
  out.badToken = await status(bad.listAllProjects());
  out.deleted = (await api.deleteAProject(ref)).status;
  console.log(JSON.stringify(out));
})().catch((err) => {
  console.error(err && err.data ? JSON.stringify(err.data) : err);
  process.exit(1);
});
