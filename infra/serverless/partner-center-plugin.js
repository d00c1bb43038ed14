'use strict';
// Local plugin of this service (five small jobs, each explained where it is done):
// building the per-job Python layers, stripping the debug symbols of native code,
// compiling the runtime's bytecode into the zips, packaging without AWS credentials,
// and a template that cfn-lint passes.
//
// Builds the Lambda layers listed in `custom.pythonLayers` before Serverless packages
// them: layer name -> packages of requirements.txt, or -> { requirements: [...], files:
// { "source folder": "folder in python/" } } for data files only that layer's functions
// read (the PDF font). serverless-python-requirements puts one set of requirements into
// every function; the heavy packages that only some jobs need (reportlab for PDFs,
// cryptography for token verification and webhook secrets) are left out of it
// (`noDeploy`) and installed here into a layer that only those functions get. pip takes
// the same platform arguments (`pipCmdExtraArgs`), so the layers hold the same arm64
// wheels as the functions, and the version ranges of requirements.txt.
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

// What no function runs: test suites, type stubs, C sources and headers, scripts.
const SLIM_DIRS = new Set(['tests', '__pycache__']);
const SLIM_FILES = /\.(pyi|pxd|pyx|c|h)$/;

function slim(folder, top = true) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (SLIM_DIRS.has(entry.name) || (top && entry.name === 'bin')) {
        fs.rmSync(full, { recursive: true, force: true });
      } else {
        slim(full, false);
      }
    } else if (SLIM_FILES.test(entry.name)) {
      fs.rmSync(full, { force: true });
    }
  }
}

const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

// Some aarch64 wheels ship their extension modules with DWARF debug info (aiohttp's
// HTTP parser is 3.3 MiB, 0.5 MiB without): nothing at run time reads it. The build
// machine's own `strip` reads only its own architecture, so the cross tool (Debian's
// binutils-aarch64-linux-gnu, which .ci/run installs) or LLVM's, which reads any, does it.
const STRIP_TOOLS = ['aarch64-linux-gnu-strip', 'llvm-strip'];

function findStrip() {
  for (const tool of STRIP_TOOLS) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
      return tool;
    } catch (error) {
      // not installed: try the next
    }
  }
  return null;
}

function nativeLibraries(folder, found = []) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) nativeLibraries(full, found);
    else if (entry.isFile() && /\.so(\.\d+)*$/.test(entry.name)) found.push(full);
  }
  return found;
}

// Debug sections only (--strip-debug): the symbol tables the dynamic loader and
// Python's import need stay as they are. Returns the bytes saved.
function stripDebug(folder, tool) {
  let saved = 0;
  for (const file of nativeLibraries(folder)) {
    const before = fs.statSync(file).size;
    execFileSync(tool, ['--strip-debug', file], { stdio: 'inherit' });
    saved += before - fs.statSync(file).size;
  }
  return saved;
}

// Bytecode: the zips hold sources only (serverless-python-requirements' slim drops every
// __pycache__, and the read-only Lambda file system keeps none it would write), so every
// cold start would compile each module it imports. compile_bytecode.py adds the pycs,
// and must run under the functions' own CPython minor version: PC_BYTECODE_PYTHON, else
// pythonX.Y on PATH, else a pyenv installation of X.Y.
const BYTECODE_SCRIPT = path.join(__dirname, 'compile_bytecode.py');

function runtimeVersion(service) {
  const match = /^python(\d+\.\d+)$/.exec(service.provider.runtime || '');
  return match ? match[1] : null;
}

function findBytecodePython(version) {
  const candidates = [];
  if (process.env.PC_BYTECODE_PYTHON) candidates.push(process.env.PC_BYTECODE_PYTHON);
  candidates.push(`python${version}`);
  const versions = path.join(process.env.PYENV_ROOT || path.join(os.homedir(), '.pyenv'), 'versions');
  if (fs.existsSync(versions)) {
    for (const installed of fs.readdirSync(versions).filter((v) => v.startsWith(`${version}.`)).sort().reverse()) {
      candidates.push(path.join(versions, installed, 'bin', `python${version}`));
    }
  }
  for (const candidate of candidates) {
    try {
      const found = execFileSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (found === version) return candidate;
    } catch (error) {
      // absent, or a pyenv shim of a version not selected: try the next
    }
  }
  return null;
}

function copyFolder(source, target) {
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    if (entry.isDirectory()) copyFolder(from, path.join(target, entry.name));
    else if (entry.isFile()) fs.copyFileSync(from, path.join(target, entry.name));
  }
}

function folderDigest(folder, hash) {
  for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort(
    (a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name);
    hash.update(entry.name);
    if (entry.isDirectory()) folderDigest(full, hash);
    else if (entry.isFile()) hash.update(fs.readFileSync(full));
  }
}

class PythonLayers {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.log = log || { notice: (m) => serverless.cli.log(m) };
    this.hooks = {
      'before:package:initialize': () => this.build(),
      // After serverless-python-requirements installed the requirements (it is listed
      // first in `plugins`), before it puts them into the zip.
      'before:package:createDeploymentArtifacts': () => this.stripRequirements(),
      // After serverless-python-requirements put the requirements into the zip.
      'after:package:createDeploymentArtifacts': () => this.compileArtifacts(),
      'before:package:compileLayers': () => this.packageOffline(),
      'before:package:finalize': () => this.dropRedundantDependsOn(),
    };
  }

  // The framework adds DependsOn to resources that already Ref what they depend on
  // (the HTTP API routes on their integration): cfn-lint's W3005. CloudFormation orders
  // by the Ref anyway, so the duplicate goes and the template lints clean.
  dropRedundantDependsOn() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const referenced = (node, found = new Set()) => {
      if (Array.isArray(node)) node.forEach((item) => referenced(item, found));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'Ref' && typeof value === 'string') found.add(value);
          else if (key === 'Fn::GetAtt') found.add(Array.isArray(value) ? value[0] : String(value).split('.')[0]);
          referenced(value, found);
        }
      }
      return found;
    };
    for (const resource of Object.values(template.Resources || {})) {
      if (!resource.DependsOn) continue;
      const refs = referenced(resource.Properties || {});
      const kept = [].concat(resource.DependsOn).filter((name) => !refs.has(name));
      if (kept.length) resource.DependsOn = kept;
      else delete resource.DependsOn;
    }
  }

  // Framework v3 asks CloudFormation for the deployed stack's layer hashes even on
  // `serverless package`, to reuse an unchanged layer already uploaded: that needs AWS
  // credentials and the network. A package built for review (CI) has no stack to
  // compare with, so on `package` alone the comparison is skipped; `deploy` keeps it.
  packageOffline() {
    const commands = (this.serverless.processedInput || {}).commands || [];
    if (commands.join(' ') !== 'package') return;
    for (const plugin of this.serverless.pluginManager.plugins) {
      if (typeof plugin.compareWithLastLayer === 'function') {
        plugin.compareWithLastLayer = async () => undefined;
      }
    }
  }

  stripTool() {
    if (this.strip === undefined) {
      this.strip = findStrip();
      if (!this.strip) {
        throw new this.serverless.classes.Error(
          `none of ${STRIP_TOOLS.join(', ')} found: install binutils-aarch64-linux-gnu`);
      }
    }
    return this.strip;
  }

  bytecode() {
    if (this.bytecodePython === undefined) {
      const version = runtimeVersion(this.serverless.service);
      if (!version) {
        throw new this.serverless.classes.Error(`provider.runtime: not a pythonX.Y runtime`);
      }
      const python = findBytecodePython(version);
      if (!python) {
        throw new this.serverless.classes.Error(
          `bytecode for python${version} needs a CPython ${version}: set PC_BYTECODE_PYTHON`);
      }
      this.bytecodePython = { python, version };
    }
    return this.bytecodePython;
  }

  compile(targets) {
    const { python, version } = this.bytecode();
    const out = execFileSync(python, [BYTECODE_SCRIPT, '--expect', version, ...targets],
      { encoding: 'utf8' });
    for (const line of out.trim().split('\n')) this.log.notice(`Bytecode: ${line}`);
  }

  // The functions' zips as the framework left them in .serverless/ (the layers' zips
  // there hold what build() already compiled).
  compileArtifacts() {
    const folder = path.join(this.serverless.config.servicePath, '.serverless');
    const layers = new Set(Object.keys(this.serverless.service.layers || {}).map((name) => `${name}.zip`));
    const zips = fs.readdirSync(folder).filter((name) => name.endsWith('.zip') && !layers.has(name))
      .map((name) => path.join(folder, name));
    if (zips.length) this.compile(zips);
  }

  stripRequirements() {
    const folder = path.join(this.serverless.config.servicePath, '.serverless', 'requirements');
    if (!fs.existsSync(folder)) return;
    const saved = stripDebug(fs.realpathSync(folder), this.stripTool());
    if (saved) this.log.notice(`Requirements: ${(saved / 1048576).toFixed(1)} MiB of debug info stripped`);
  }

  requirementLines() {
    const file = path.join(this.serverless.config.servicePath, 'requirements.txt');
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim());
    return lines.filter((l) => l && !l.startsWith('#'));
  }

  build() {
    const service = this.serverless.service;
    const layers = (service.custom && service.custom.pythonLayers) || {};
    const requirements = service.custom.pythonRequirements || {};
    const pythonBin = requirements.pythonBin || 'python3';
    const extraArgs = requirements.pipCmdExtraArgs || [];
    const lines = this.requirementLines();
    for (const [name, spec] of Object.entries(layers)) {
      const packages = Array.isArray(spec) ? spec : spec.requirements || [];
      const files = Array.isArray(spec) ? {} : spec.files || {};
      const layer = (service.layers || {})[name];
      if (!layer || !layer.path) {
        throw new this.serverless.classes.Error(`custom.pythonLayers.${name}: no layer "${name}" with a path`);
      }
      const wanted = packages.map((pkg) => {
        const line = lines.find((l) => normalize(l.split(/[<>=!~;\[ ]/, 1)[0]) === normalize(pkg));
        if (!line) {
          throw new this.serverless.classes.Error(`custom.pythonLayers.${name}: ${pkg} is not in requirements.txt`);
        }
        return line;
      });
      const root = path.join(this.serverless.config.servicePath, layer.path);
      const stampFile = path.join(root, '.built-from');
      const hash = crypto.createHash('sha256')
        .update(JSON.stringify([pythonBin, extraArgs, wanted, SLIM_FILES.source, files, STRIP_TOOLS,
          this.bytecode().version, fs.readFileSync(BYTECODE_SCRIPT, 'utf8')]));
      const servicePath = this.serverless.config.servicePath;
      for (const source of Object.keys(files)) folderDigest(path.join(servicePath, source), hash);
      const stamp = hash.digest('hex');
      if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
        this.log.notice(`Layer ${name}: up to date (${wanted.join(', ')})`);
        continue;
      }
      fs.rmSync(root, { recursive: true, force: true });
      const target = path.join(root, 'python');
      fs.mkdirSync(target, { recursive: true });
      if (wanted.length) {
        this.log.notice(`Layer ${name}: installing ${wanted.join(', ')}`);
        execFileSync(pythonBin, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
          '--target', target, ...extraArgs, ...wanted], { stdio: 'inherit' });
      }
      slim(target);
      stripDebug(target, this.stripTool());
      for (const [source, into] of Object.entries(files)) {
        copyFolder(path.join(servicePath, source), path.join(target, into));
      }
      this.compile([target]);
      fs.writeFileSync(stampFile, stamp);
    }
  }
}

module.exports = PythonLayers;
