// Save quiz answers on the server as the learner goes, so a timeout or a closed tab loses nothing.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.quiz[data-draft-url]");
  if (!form) return;
  const status = document.getElementById("draft-status");
  let timer = null;
  const save = async () => {
    try {
      const response = await fetch(form.dataset.draftUrl, { method: "POST", body: new FormData(form) });
      if (response.ok && status) status.textContent = "Your answers are saved.";
    } catch (error) {
      if (status) status.textContent = "";
    }
  };
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });
});
