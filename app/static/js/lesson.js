// Knowledge checks answer in place: the same GET the plain form would send, returned as JSON.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.check-form")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = form.querySelector(".check-feedback");
      const params = new URLSearchParams(new FormData(form));
      params.delete("check");
      try {
        const response = await fetch(`${form.dataset.endpoint}?${params}`, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        show(box, await response.json());
      } catch (error) {
        form.submit();
      }
    });
  }
});

function paragraph(text, className) {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

function show(box, result) {
  box.replaceChildren();
  if (result.error) {
    box.append(paragraph(result.error, "error"));
    return;
  }
  const verdict = paragraph(result.right ? "Right! " : "Not quite. ", `verdict ${result.right ? "right" : "wrong"}`);
  if (!result.right) {
    verdict.append("The answer is: ");
    const strong = document.createElement("strong");
    strong.textContent = result.correct;
    verdict.append(strong, ".");
  }
  box.append(verdict);
  if (result.feedback) box.append(paragraph(result.feedback));
  box.append(paragraph(result.explanation, "explanation"));
}
