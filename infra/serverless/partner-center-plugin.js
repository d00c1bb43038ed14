'use strict';
// Local plugin of this service (three small jobs, each explained where it is done):
// building the per-job Python layers, packaging without AWS credentials, and a template
// that cfn-lint passes.
//
// Builds the Lambda layers listed in `custom.pythonLayers` (layer name -> packages of
// requirements.txt) before Serverless packages them. serverless-python-requirements
// puts one set of requirements into every function; the heavy packages that only one
// job needs (numpy for the bill run's 95th percentile, reportlab for PDFs) are left out
// of it (`noDeploy`) and installed here into a layer that only those functions get.
// pip takes the same platform arguments (`pipCmdExtraArgs`), so the layers hold the
// same arm64 wheels as the functions, and the version ranges of requirements.txt.
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
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

class PythonLayers {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.log = log || { notice: (m) => serverless.cli.log(m) };
    this.hooks = {
      'before:package:initialize': () => this.build(),
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
    for (const [name, packages] of Object.entries(layers)) {
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
      const stamp = crypto.createHash('sha256')
        .update(JSON.stringify([pythonBin, extraArgs, wanted, SLIM_FILES.source])).digest('hex');
      if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
        this.log.notice(`Layer ${name}: up to date (${wanted.join(', ')})`);
        continue;
      }
      fs.rmSync(root, { recursive: true, force: true });
      const target = path.join(root, 'python');
      fs.mkdirSync(target, { recursive: true });
      this.log.notice(`Layer ${name}: installing ${wanted.join(', ')}`);
      execFileSync(pythonBin, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
        '--target', target, ...extraArgs, ...wanted], { stdio: 'inherit' });
      slim(target);
      fs.writeFileSync(stampFile, stamp);
    }
  }
}

module.exports = PythonLayers;
