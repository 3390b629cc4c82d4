// Pays a PaymentIntent with Stripe Elements. With localstripe (development) its stand-in script
// cannot confirm a card, so the typed test card goes to our development-only endpoint instead.
(function () {
  "use strict";
  const form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const message = document.getElementById("payment-message");
  const button = document.getElementById("pay-button");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  async function confirmWithLocalstripe() {
    const number = ((card.value || {}).card || {}).number || "";
    const response = await fetch(form.dataset.confirmUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ card_number: number.replace(/\s+/g, "") }),
      credentials: "same-origin",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      return { error: { message: (body.error || {}).message || "The payment failed." } };
    }
    return {};
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    const result = form.dataset.localstripe === "1"
      ? await confirmWithLocalstripe()
      : await stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card } });
    if (result.error) {
      message.textContent = result.error.message || "The payment failed.";
      button.disabled = false;
      return;
    }
    // Membership follows Stripe's confirmation (a webhook), usually within seconds.
    window.location.assign(form.dataset.doneUrl + "?paid=1");
  });
})();
