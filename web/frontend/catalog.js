// The names the server knows (roles, forms, service operators), put in the page as JSON by the app.
export function readCatalog() {
  const node = document.getElementById("ansinh-catalog");
  return node ? JSON.parse(node.textContent) : { roles: [], forms: [], operators: [] };
}

export const DUE_RULE = /^(P\d{1,3}WD|before-day:([1-9]|1\d|2[0-8])|P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?)$/;

// Conditions written for other engines, with the Python-like form where it is obvious (as on the server).
export function foreignExpression(text) {
  const body = (text || "").trim();
  const juel = body.match(/^[$#]\{([\s\S]*)\}$/);
  if (juel) {
    const python = juel[1].replace(/!(?!=)/g, " not ").replace(/&&/g, " and ").replace(/\|\|/g, " or ").replace(/\s+/g, " ").trim();
    return `JUEL (\${…}): viết ${python}`;
  }
  if (body.startsWith("=")) return `FEEL (= …): viết ${body.slice(1).trim().replace(/(^|[^<>=!])=(?!=)/g, "$1==")}`;
  if (/getDataObject\(/.test(body)) return "XPath: viết biểu thức kiểu Python trên biến của hồ sơ";
  return null;
}
