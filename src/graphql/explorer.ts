import { randomBytes } from 'node:crypto';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth-context';

/**
 * GET /graphql/explorer: a self-contained GraphQL explorer (no external assets): query and
 * variables editors, the two auth headers, run, the result, and a schema browser built from
 * introspection. Public page; the API calls it makes need the keys typed into it, which stay in
 * the tab's sessionStorage.
 */

const DEFAULT_QUERY = `query Contacts($after: String) {
  contacts(first: 10, after: $after) {
    edges { node { id firstName lastName emailAddresses { emailAddress } account { name owner { email } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function explorerPage(nonce: string, endpoint: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Switchboard GraphQL explorer</title>
<style>
*{box-sizing:border-box}body{margin:0;font:14px system-ui,sans-serif;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:8px;align-items:center;padding:8px 12px;background:#1d2330;color:#fff;flex-wrap:wrap}
header h1{font-size:15px;margin:0 12px 0 0}header input{width:260px;padding:5px;border:0;border-radius:3px;font:12px monospace}
button{padding:6px 14px;border:0;border-radius:3px;background:#3b6ef5;color:#fff;font-weight:600;cursor:pointer}
main{display:grid;grid-template-columns:1fr 1fr 300px;gap:8px;padding:8px;height:calc(100vh - 52px)}
section{display:flex;flex-direction:column;min-height:0}label{font-size:12px;font-weight:600;margin:4px 0}
textarea,pre{flex:1;margin:0;padding:8px;border:1px solid #ccd;border-radius:3px;font:12px/1.4 monospace;background:#fff;overflow:auto;resize:none;min-height:0}
#variables{flex:0 0 120px}#schema{flex:1;overflow:auto;border:1px solid #ccd;border-radius:3px;background:#fff;padding:6px;font-size:12px}
#schema a{color:#3b6ef5;cursor:pointer;text-decoration:none}#schema .f{margin:2px 0 2px 8px}#schema .d{color:#667;margin-left:8px}
#schema input{width:100%;padding:4px;margin-bottom:6px}#status{font-size:12px}
</style></head><body>
<header><h1>Switchboard GraphQL</h1>
<input id="apiKey" type="password" placeholder="API key (Authorization: Bearer)" autocomplete="off">
<input id="accountToken" type="password" placeholder="X-Account-Token" autocomplete="off">
<button id="run" title="Ctrl+Enter">Run</button><span id="status"></span></header>
<main>
<section><label for="query">Query</label><textarea id="query" spellcheck="false"></textarea>
<label for="variables">Variables (JSON)</label><textarea id="variables" spellcheck="false">{}</textarea></section>
<section><label>Result</label><pre id="result"></pre></section>
<section><label>Schema</label><div id="schema"><input id="filter" placeholder="Filter types"><div id="types">Loading…</div></div></section>
</main>
<script nonce="${nonce}">
(function(){
var endpoint=${JSON.stringify(endpoint)};
var $=function(id){return document.getElementById(id)};
var store=window.sessionStorage;
['apiKey','accountToken'].forEach(function(id){$(id).value=store.getItem('sb.'+id)||'';$(id).addEventListener('input',function(){store.setItem('sb.'+id,$(id).value)})});
$('query').value=store.getItem('sb.query')||${JSON.stringify(DEFAULT_QUERY)};
$('query').addEventListener('input',function(){store.setItem('sb.query',$('query').value)});
function call(body){
  var h={'content-type':'application/json'};
  if($('apiKey').value)h.authorization='Bearer '+$('apiKey').value.trim();
  if($('accountToken').value)h['x-account-token']=$('accountToken').value.trim();
  return fetch(endpoint,{method:'POST',headers:h,body:JSON.stringify(body)}).then(function(r){return r.json().then(function(j){return{status:r.status,json:j}})});
}
function run(){
  var vars;try{vars=JSON.parse($('variables').value||'{}')}catch(e){$('result').textContent='Variables are not valid JSON: '+e.message;return}
  $('status').textContent='running…';var t=performance.now();
  call({query:$('query').value,variables:vars}).then(function(r){$('status').textContent='HTTP '+r.status+' in '+Math.round(performance.now()-t)+' ms';$('result').textContent=JSON.stringify(r.json,null,2)})
  .catch(function(e){$('status').textContent='';$('result').textContent=String(e)});
}
$('run').addEventListener('click',run);
document.addEventListener('keydown',function(e){if(e.key==='Enter'&&(e.ctrlKey||e.metaKey)){e.preventDefault();run()}});
var types={};
function typeName(t){return t.kind==='NON_NULL'?typeName(t.ofType)+'!':t.kind==='LIST'?'['+typeName(t.ofType)+']':t.name}
function baseName(t){return t.ofType?baseName(t.ofType):t.name}
function el(tag,text,cls){var e=document.createElement(tag);if(text)e.textContent=text;if(cls)e.className=cls;return e}
function showType(name){
  var t=types[name],box=$('types');box.textContent='';
  var back=el('a','← all types');back.addEventListener('click',function(){listTypes()});box.appendChild(back);
  box.appendChild(el('h3',t.name+' ('+t.kind.toLowerCase()+')'));if(t.description)box.appendChild(el('div',t.description,'d'));
  (t.fields||t.inputFields||[]).forEach(function(f){
    var row=el('div','','f');row.appendChild(document.createTextNode(f.name+(f.args&&f.args.length?'('+f.args.map(function(a){return a.name+': '+typeName(a.type)}).join(', ')+')':'')+': '));
    var link=el('a',typeName(f.type));link.addEventListener('click',function(){showType(baseName(f.type))});row.appendChild(link);
    if(f.description)row.appendChild(el('div',f.description,'d'));box.appendChild(row);
  });
  (t.enumValues||[]).forEach(function(v){box.appendChild(el('div',v.name,'f'))});
}
function listTypes(){
  var box=$('types'),q=$('filter').value.toLowerCase();box.textContent='';
  Object.keys(types).sort().filter(function(n){return n.indexOf('__')!==0&&n.toLowerCase().indexOf(q)>=0}).forEach(function(n){
    var a=el('a',n);a.addEventListener('click',function(){showType(n)});var d=el('div','','f');d.appendChild(a);box.appendChild(d);
  });
}
$('filter').addEventListener('input',listTypes);
var introspection='query{__schema{types{kind name description fields{name description args{name type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}} type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}} inputFields{name description type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}} enumValues{name}}}}';
call({query:introspection}).then(function(r){
  if(!r.json.data){$('types').textContent='Introspection failed: '+JSON.stringify(r.json.errors);return}
  r.json.data.__schema.types.forEach(function(t){types[t.name]=t});listTypes();
}).catch(function(e){$('types').textContent=String(e)});
})();
</script></body></html>`;
}

@ApiExcludeController()
@Public()
@Controller('graphql')
export class GraphqlExplorerController {
  @Get('explorer')
  page(@Res() reply: FastifyReply): void {
    const nonce = randomBytes(16).toString('base64');
    reply
      .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(explorerPage(nonce, '/graphql'));
  }
}
