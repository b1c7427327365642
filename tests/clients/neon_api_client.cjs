// Drives @neondatabase/api-client (Neon's TypeScript client) through a platform engineer's workflows
// against the emulator, in one Node process, and prints one JSON object of what it saw.
// Environment: NEON_BASE_URL, NEON_API_KEY, NEON_BAD_KEY.
const { createApiClient } = require("@neondatabase/api-client");

const baseURL = process.env.NEON_BASE_URL;
const api = createApiClient({ apiKey: process.env.NEON_API_KEY, baseURL, timeout: 20000 });
const out = {};

async function waitFor(projectId, operations) {
  // A waiting client: poll each operation until it is finished.
  for (const op of operations || []) {
    for (let i = 0; i < 50; i++) {
      const { data } = await api.getProjectOperation(projectId, op.id);
      if (data.operation.status === "finished") break;
      if (data.operation.status === "failed") throw new Error(`operation ${op.id} failed`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function status(promise) {
  try {
    const response = await promise;
    return response.status;
  } catch (err) {
    return err.response ? err.response.status : String(err);
  }
}

(async () => {
  const created = await api.createProject({ project: { name: "ts-client", region_id: "aws-eu-central-1" } });
  const projectId = created.data.project.id;
  out.created = { status: created.status, region: created.data.project.region_id };
  await waitFor(projectId, created.data.operations);
  out.listed = (await api.listProjects({ limit: 10 })).data.projects.map((p) => p.id);
  out.got = (await api.getProject(projectId)).data.project.name;
  out.renamed = (await api.updateProject(projectId, { project: { name: "ts-client-2" } })).data.project.name;

  const names = [];
  for (const name of ["pr-1", "pr-2", "pr-3"]) {
    const b = await api.createProjectBranch(projectId, {
      branch: { name },
      endpoints: [{ type: "read_write", autoscaling_limit_min_cu: 0.25, autoscaling_limit_max_cu: 1 }],
    });
    await waitFor(projectId, b.data.operations);
    names.push(b.data.branch.id);
  }
  // Walk the branch pages as neonctl does.
  const seen = [];
  let cursor;
  for (let i = 0; i < 10; i++) {
    const { data } = await api.listProjectBranches({ projectId, limit: 2, cursor });
    seen.push(...data.branches.map((b) => b.name));
    cursor = data.pagination && data.pagination.next;
    if (!cursor || data.branches.length === 0) break;
  }
  out.paged = seen.sort();

  const branchId = names[0];
  out.branchGot = (await api.getProjectBranch(projectId, branchId)).data.branch.name;
  const upd = await api.updateProjectBranch(projectId, branchId, { branch: { name: "pr-1-renamed", protected: false } });
  out.branchRenamed = upd.data.branch.name;
  const role = await api.createProjectBranchRole(projectId, branchId, { role: { name: "app" } });
  out.rolePassword = Boolean(role.data.role.password);
  await waitFor(projectId, role.data.operations);
  const db = await api.createProjectBranchDatabase(projectId, branchId, { database: { name: "app", owner_name: "app" } });
  out.database = db.data.database.name;
  await waitFor(projectId, db.data.operations);
  const endpoints = (await api.listProjectBranchEndpoints(projectId, branchId)).data.endpoints;
  const ep = await api.updateProjectEndpoint(projectId, endpoints[0].id, {
    endpoint: { autoscaling_limit_min_cu: 0.5, autoscaling_limit_max_cu: 2 },
  });
  out.endpointMax = ep.data.endpoint.autoscaling_limit_max_cu;
  // Not waiting after a change: the next change meets 423, as at Neon.
  out.lockedWithoutWaiting = await status(api.suspendProjectEndpoint(projectId, endpoints[0].id));
  await waitFor(projectId, ep.data.operations);
  const uri = await api.getConnectionUri({ projectId, branch_id: branchId, database_name: "app", role_name: "app" });
  out.uri = uri.data.uri.startsWith("postgresql://app:");
  const ops = (await api.listProjectOperations({ projectId, limit: 100 })).data.operations;
  out.operationsFinished = ops.every((o) => o.status === "finished");
  const del = await api.deleteProjectBranch({ projectId, branchId });
  out.branchDeleted = del.status;
  await waitFor(projectId, del.data.operations);

  out.unknownProject = await status(api.getProject("nope-12345678"));
  out.unknownBranch = await status(api.getProjectBranch(projectId, "br-nope-a1234567"));
  out.badRegion = await status(api.createProject({ project: { name: "x", region_id: "aws-ca-central-1" } }));
  const bad = createApiClient({ apiKey: process.env.NEON_BAD_KEY, baseURL });
  out.badToken = await status(bad.listProjects({}));
  out.projectDeleted = (await api.deleteProject(projectId)).status;
  out.goneAfter = await status(api.getProject(projectId));
  console.log(JSON.stringify(out));
})().catch((err) => {
  console.error(err && err.response ? JSON.stringify(err.response.data) : err);
  process.exit(1);
});
